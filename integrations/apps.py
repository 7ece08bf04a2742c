from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    """Clients for external services. Django-free: they take settings as arguments."""

    name = "integrations"
    verbose_name = _("Integrations")
