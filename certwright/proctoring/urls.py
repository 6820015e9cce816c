"""The proctor console's URLs, under /proctor/ (see views.py)."""

from django.urls import path

from certwright.proctoring import views

app_name = "proctor"
_sitting = "centres/<int:centre_id>/appointments/<int:appointment_id>/"
_seat = _sitting + "tests/<int:seat_id>/"
urlpatterns = [
    path("", views.home, name="home"),
    path("centres/<int:centre_id>/", views.day, name="day"),
    path("centres/<int:centre_id>/board/", views.board, name="board"),
    path(_sitting, views.sitting, name="sitting"),
    path(_sitting + "live/", views.sitting_live, name="sitting_live"),
    path(_sitting + "check-in/", views.check_in, name="check_in"),
    path(_sitting + "no-show/", views.no_show, name="no_show"),
    path(_sitting + "incident/", views.incident, name="incident"),
    path(_seat + "authorise/", views.authorise, name="authorise"),
    path(_seat + "end/", views.end, name="end"),
    path(
        _seat + "<str:action>/",
        views.control,
        name="control",
    ),
]
