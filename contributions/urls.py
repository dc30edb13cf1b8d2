from django.urls import path

from contributions import views
from contributions.feeds import ContributionFeed

app_name = "contributions"

urlpatterns = [
    path("", views.contribution_list, name="index"),
    path("flux.atom", ContributionFeed(), name="feed"),
    path("declarer/", views.ContributionView.as_view(), name="declare"),
    path("projets/<path:key>/", views.project_detail, name="project"),
    # Addresses of the first release, by id: moved to the slug.
    path("organismes/<int:pk>/", views.public_body_by_id),
    path("organismes/<slug:slug>/", views.public_body_detail, name="public_body"),
    path("<int:pk>/", views.contribution_detail, name="detail"),
    path("<int:pk>/modifier/", views.ContributionView.as_view(), name="edit"),
    path("<int:pk>/supprimer/", views.ContributionDeleteView.as_view(), name="delete"),
]
