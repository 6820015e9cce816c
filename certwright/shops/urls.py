from django.urls import path

from certwright.shops import views

app_name = "shops"
urlpatterns = [
    path("", views.finder, name="finder"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/confirm/", views.my_confirm, name="my_confirm"),
    path("mine/<int:pk>/end/", views.my_end, name="my_end"),
    path("mine/<int:pk>/consent/", views.my_consent, name="my_consent"),
    path("manage/<int:organization_id>/", views.manage, name="manage"),
    path(
        "manage/<int:organization_id>/profile/",
        views.profile_update,
        name="profile_update",
    ),
    path("manage/<int:organization_id>/invite/", views.invite, name="invite"),
    path(
        "manage/<int:organization_id>/<int:pk>/confirm/",
        views.shop_confirm,
        name="shop_confirm",
    ),
    path("manage/<int:organization_id>/<int:pk>/end/", views.shop_end, name="shop_end"),
    path("<str:code>/", views.entry, name="entry"),
    path("<str:code>/badge.svg", views.badge, name="badge"),
    path("<str:code>/credential.json", views.credential, name="credential"),
]
