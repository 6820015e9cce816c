"""URLs: the home page, the staff admin and the REST API."""

from django.contrib import admin
from django.urls import path

from certwright.core.api import api
from certwright.core.views import home

admin.site.site_header = "Certwright administration"
admin.site.site_title = "Certwright"

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
