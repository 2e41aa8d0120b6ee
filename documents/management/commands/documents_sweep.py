"""`python manage.py documents_sweep`: remove the stored files of culled documents that are
still in storage (a storage that failed during a retention run), verifying each is gone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from documents import services
from documents.models import CaseDocument


class Command(BaseCommand):
    help = "Remove the stored files of culled case documents that are still in storage."

    def handle(self, *args: Any, **options: Any) -> None:
        removed = services.document_files_remove()
        pending = CaseDocument.objects.filter(
            culled_at__isnull=False, file_removed_at__isnull=True
        ).count()
        self.stdout.write(f"{removed} files removed; {pending} still pending.")
        if pending:
            raise CommandError(f"{pending} culled documents' files could not be removed (see log).")
