from django.urls import path

from . import views

app_name = "optimization"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("decide/", views.decide_view, name="decide"),
]
