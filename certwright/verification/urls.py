from django.urls import path

from . import views

app_name = "verification"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("v/<str:token>", views.share_link, name="share_link"),
    path("me/share-links/", views.share_links, name="share_links"),
]
