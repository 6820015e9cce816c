from django.urls import path

from . import views

app_name = "renewal"
urlpatterns = [
    # The subscription page (buying it, and what it has earned).
    path("", views.home, name="home"),
    path("subscribe/", views.subscribe, name="subscribe"),
    # (The question pages go below this block.)
]
