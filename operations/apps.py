from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """The operator's tools: backup and restore (no models)."""

    name = "operations"
    verbose_name = "Operations"
