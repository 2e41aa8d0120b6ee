from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportJobsConfig(AppConfig):
    """Files made in the background (core.background): the jobs, their encrypted files, the
    progress page and the download, for the person who asked only."""

    name = "exportjobs"
    verbose_name = _("Background exports")

    def ready(self) -> None:
        # Imported here, not at the top: the services use the models, loaded only by now.
        from core.background import register_starter
        from exportjobs.services import job_start_page

        register_starter(job_start_page)
