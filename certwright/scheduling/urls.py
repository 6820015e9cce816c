from django.urls import path

from certwright.scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("", views.appointment_list, name="appointment_list"),
    path("book/", views.appointment_book, name="appointment_book"),
    path("slots/", views.slots, name="slots"),
    path("<int:appointment_id>/", views.appointment_detail, name="appointment_detail"),
    path(
        "<int:appointment_id>/reschedule/",
        views.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "<int:appointment_id>/cancel/",
        views.appointment_cancel,
        name="appointment_cancel",
    ),
    path(
        "<int:appointment_id>/appointment.ics",
        views.appointment_ics,
        name="appointment_ics",
    ),
    path("centres/", views.centre_list, name="centre_list"),
    path("centres/mine/", views.centre_admin, name="centre_admin"),
    path("centres/<int:centre_id>/day/", views.centre_day, name="centre_day"),
    path(
        "centres/<int:centre_id>/appointments/<int:appointment_id>/<str:action>/",
        views.centre_appointment_action,
        name="centre_appointment_action",
    ),
]
