from django.urls import path

from . import views

app_name = "badges"
urlpatterns = [
    path(".well-known/did.json", views.did_json, name="did_json"),
    path("credentials/status/<int:list_id>", views.status_list, name="status_list"),
    path("credentials/mine/", views.my_credentials, name="mine"),
    path(
        "credentials/mine/<uuid:uuid>.json",
        views.credential_download,
        name="download",
    ),
]
