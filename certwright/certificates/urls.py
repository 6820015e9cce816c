from django.urls import path

from . import views

app_name = "certificates"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("<slug:kind>.pdf", views.my_download, name="download"),
    path(
        "technician/<int:technician_id>/<slug:kind>.pdf",
        views.staff_download,
        name="staff_download",
    ),
]
