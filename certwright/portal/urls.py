from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("landing/", views.landing, name="landing"),
    path("catalog/", views.tests_page, name="tests"),
    path("catalog/<str:code>/", views.test_page, name="test"),
    path("keep/<str:code>/", views.keep, name="keep"),
    path("keep/<str:code>/recertify/", views.recertify, name="recertify"),
]
