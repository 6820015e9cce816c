from django.urls import path

from certwright.delivery import views

app_name = "delivery"
urlpatterns = [
    path("<int:attempt_id>/", views.player, name="player"),
    path("<int:attempt_id>/answers/", views.save, name="save"),
    path("<int:attempt_id>/answers/batch/", views.save_many, name="save_many"),
    path("<int:attempt_id>/state/", views.state, name="state"),
    path("<int:attempt_id>/start/", views.start, name="start"),
    path("<int:attempt_id>/launch/", views.launch, name="launch"),
    path("<int:attempt_id>/image/<int:form_item_id>/", views.image, name="image"),
    path("<int:attempt_id>/submit/", views.submit, name="submit"),
    path("<int:attempt_id>/position/", views.position, name="position"),
    path("<int:attempt_id>/result/", views.result, name="result"),
    path("<int:attempt_id>/report/", views.report, name="report"),
    path("<int:attempt_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("mine/", views.attempt_list, name="attempt_list"),
    path("practice/<str:test>/", views.practice_start, name="practice_start"),
    path("study/<str:test>/", views.study, name="study"),
]
