from django.apps import AppConfig


class AdloopConfig(AppConfig):
    name = "adloop"
    verbose_name = "adloop"
