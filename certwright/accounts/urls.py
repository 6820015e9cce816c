from django.urls import path

from certwright.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("tokens/", views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/<int:grant_id>/revoke/", views.share_revoke, name="share_revoke"),
    path("organizations/", views.organization_list, name="organization_list"),
    path(
        "organizations/<int:organization_id>/",
        views.organization_detail,
        name="organization_detail",
    ),
    path(
        "organizations/<int:organization_id>/roster.csv",
        views.organization_roster_csv,
        name="organization_roster_csv",
    ),
    path(
        "organizations/<int:organization_id>/watch/",
        views.organization_watch,
        name="organization_watch",
    ),
]
