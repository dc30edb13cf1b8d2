from django.urls import path

from catalog import views

app_name = "dependencies"

urlpatterns = [
    path("", views.dependency_list, name="index"),
    # The name as stored: "@scope/name" (npm), "group:artifact" (Maven), a Go module path.
    path("<str:ecosystem>/<path:name>/", views.dependency_detail, name="detail"),
]
