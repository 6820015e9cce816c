from django.urls import include, path

from . import views

app_name = "certificates"

# The technician's own page and downloads, and program staff's.
_mine = [
    path("", views.mine, name="mine"),
    path("<slug:kind>.pdf", views.my_download, name="download"),
    path(
        "technician/<int:technician_id>/<slug:kind>.pdf",
        views.staff_download,
        name="staff_download",
    ),
]

# Mounted at the site's root: the share-link card lives under the share link's own
# path (/v/<token>), which certwright.verification serves.
urlpatterns = [
    path("me/certificates/", include(_mine)),
    path(
        "v/<str:token>/wallet-card.pdf",
        views.share_wallet_card,
        name="share_wallet_card",
    ),
]
