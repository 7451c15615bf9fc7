from django.urls import path

from corrections import views

app_name = "corrections"

urlpatterns = [
    path("corrections/new/", views.report, name="new"),
    # Under the outcome's own address: its slug is unique across sources, unlike a reference.
    path("outcomes/<slug:slug>/correction/", views.report, name="outcome"),
    path("corrections/thanks/", views.thanks, name="thanks"),
]
