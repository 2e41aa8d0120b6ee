from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Case documents")

    def ready(self) -> None:
        # Imported here, not at the top: these modules use the models, loaded only by now.
        from documents import encryption, timeline

        encryption.configured_keys()  # a malformed LOTSA_DOCUMENT_KEY fails at start, loudly
        timeline.register_all()
