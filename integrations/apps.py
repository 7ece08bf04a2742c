from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Clients for external services. Django-free: they take settings as arguments."""

    name = "integrations"
    verbose_name = "Integrations"
