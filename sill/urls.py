from django.urls import path

from sill import views
from sill.feeds import SoftwareFeed

app_name = "sill"

urlpatterns = [
    path("", views.software_list, name="index"),
    # The whole SILL in Catalogi's format, at both of Catalogi's addresses.
    path("sill.json", views.catalogi_export, name="catalogi_export"),
    path("catalogi.json", views.catalogi_export, name="catalogi_json"),
    path("flux.atom", SoftwareFeed(), name="feed"),
    # Agents' declarations; fixed paths before the <slug:slug>/ catch-all.
    path("proposer/", views.ProposalView.as_view(), name="propose"),
    path(
        "propositions/<int:pk>/modifier/",
        views.ProposalView.as_view(),
        name="proposal_edit",
    ),
    path(
        "propositions/<int:pk>/supprimer/",
        views.ProposalDeleteView.as_view(),
        name="proposal_delete",
    ),
    path(
        "declarations/<int:pk>/modifier/",
        views.DeclarationView.as_view(),
        name="declaration_edit",
    ),
    path(
        "declarations/<int:pk>/supprimer/",
        views.DeclarationDeleteView.as_view(),
        name="declaration_delete",
    ),
    path("instances/<int:pk>/modifier/", views.InstanceView.as_view(), name="instance_edit"),
    path(
        "instances/<int:pk>/supprimer/", views.InstanceDeleteView.as_view(), name="instance_delete"
    ),
    path("<slug:slug>/", views.software_detail, name="detail"),
    path("<slug:slug>/declarer/<str:kind>/", views.DeclarationView.as_view(), name="declare"),
    path("<slug:slug>/instances/ajouter/", views.InstanceView.as_view(), name="instance_add"),
]
