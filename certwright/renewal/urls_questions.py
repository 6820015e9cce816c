"""The renewal questions, included under /renewal/questions/."""

from django.urls import path

from certwright.renewal import views_questions as views

app_name = "renewal_questions"

urlpatterns = [
    path("", views.question_list, name="list"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("<int:question_id>/", views.question_detail, name="detail"),
    path("<int:question_id>/open/", views.question_open_view, name="open"),
    path("<int:question_id>/answer/", views.question_answer_view, name="answer"),
]
