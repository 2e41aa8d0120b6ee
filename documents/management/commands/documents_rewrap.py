"""`python manage.py documents_rewrap`: after a key rotation, wrap every document's key with the
current key (the first of LOTSA_DOCUMENT_KEY). The files themselves are not read or rewritten."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count

from documents import encryption, services
from documents.models import CaseDocument


class Command(BaseCommand):
    help = (
        "Wrap every case document's key with the current key (the first in LOTSA_DOCUMENT_KEY). "
        "Run after putting a new key first; then the old keys can be removed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        current = encryption.current_key().id
        try:
            count = services.document_keys_rewrap()
        except encryption.DocumentDecryptionError as error:
            raise CommandError(
                f"A document's key cannot be unwrapped ({error}): keep every key that is still in "
                "use in LOTSA_DOCUMENT_KEY until this command has finished."
            ) from error
        left = (
            CaseDocument.objects.filter(culled_at__isnull=True)
            .values("key_id")
            .annotate(n=Count("pk"))
            .order_by("key_id")
        )
        self.stdout.write(f"{count} document keys rewrapped with key {current!r}.")
        for row in left:
            self.stdout.write(f"  key {row['key_id']!r}: {row['n']} documents")
