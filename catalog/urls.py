from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.repository_list, name="index"),
    path("awesome/", views.awesome_list, name="awesome"),
    path("score/", views.score_method, name="score"),
    path("<str:host>/<path:full_path>/", views.repository_detail, name="detail"),
]
