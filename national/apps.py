from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    name = "national"
    verbose_name = _("National reporting")

    def ready(self) -> None:
        # Imported here, not at the top: these modules use the models, loaded only by now.
        from casework.models import CasePurpose, IndividualRelation
        from national import jobs  # noqa: F401  (registers the background downloads)
        from reporting.cache import STATISTICS

        # The national figures are cached with the annual statistics (reporting.cache), whose
        # generation every case and person already retire; they also read the cases'
        # purposes and the relations between persons.
        STATISTICS.watch([CasePurpose, IndividualRelation])
