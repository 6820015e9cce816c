from django.urls import path

from certwright.scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.index, name="index"),
    path("guide/", views.guide, name="guide"),
    path("forms/<int:form_id>/", views.form_report, name="form"),
    path("forms/<int:form_id>/analyse/", views.analyse, name="analyse"),
    path("forms/<int:form_id>/calibrate/", views.calibrate, name="calibrate"),
    path("forms/<int:form_id>/equate/", views.equate, name="equate"),
    path("runs/<int:run_id>/", views.run_report, name="run"),
    path("runs/<int:run_id>/progress/", views.run_progress, name="run_progress"),
    path("runs/<int:run_id>/items/<int:position>/", views.run_item, name="run_item"),
    path("runs/<int:run_id>/record/", views.record, name="record"),
    path("runs/<int:run_id>/apply/", views.apply, name="apply"),
    path("items/<int:item_id>/", views.item_report, name="item"),
]
