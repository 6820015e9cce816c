from django.urls import path

from . import views

app_name = "candidates"
urlpatterns = [
    path("", views.experience_list, name="experience_list"),
    path("add/", views.experience_add, name="experience_add"),
    path("<int:record_id>/", views.experience_detail, name="experience_detail"),
    path("<int:record_id>/edit/", views.experience_change, name="experience_edit"),
    path(
        "<int:record_id>/withdraw/",
        views.experience_withdraw,
        name="experience_withdraw",
    ),
    path(
        "<int:record_id>/resend-link/",
        views.experience_link_resend,
        name="experience_link_resend",
    ),
    path(
        "documents/<int:document_id>/",
        views.document_download,
        name="document_download",
    ),
    path("confirm/<str:token>/", views.employer_confirm, name="employer_confirm"),
    path("review/", views.review_queue, name="review_queue"),
    path(
        "review/<int:record_id>/approve/", views.review_approve, name="review_approve"
    ),
    path("review/<int:record_id>/reject/", views.review_reject, name="review_reject"),
]
