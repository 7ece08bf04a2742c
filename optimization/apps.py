from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OptimizationConfig(AppConfig):
    name = "optimization"
    verbose_name = _("Optimization")
