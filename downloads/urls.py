from django.urls import path

from downloads import views

app_name = "downloads"

urlpatterns = [
    path("outcomes/export.<str:format>", views.outcome_export, name="export"),
    path("data/", views.data, name="data"),
    path("data/<str:name>", views.data_file, name="file"),
]
