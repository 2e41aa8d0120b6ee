"""The rows of a previewed file, kept between the preview and the confirmation.

For a file checked within its request (at most LOTSA_IMPORT_BACKGROUND_ROWS rows); a larger
one is checked by a Celery task and keeps its rows in its ImportJob (importing.jobs).

Not the file: its rows, parsed and validated, compressed, in the cache (Redis in production)
for LOTSA_IMPORT_PREVIEW_SECONDS under a key made of the user's id and the file's SHA-256, so
that only the user who uploaded it can confirm it, and only that file. Confirming (or the time
running out) removes them. The uploaded file itself is read in memory and never written to disk.
"""

from __future__ import annotations

import json
import zlib

from django.conf import settings
from django.core.cache import cache

from accounts.models import User
from importing.columns import COLUMNS
from importing.reading import ImportRow


def _key(user: User, file_sha256: str) -> str:
    return f"importing:preview:{user.pk}:{file_sha256}"


def pack_rows(rows: list[ImportRow]) -> bytes:
    """The parsed rows as compressed JSON (the empty cells left out)."""
    data = [{"n": row.number, "v": {k: v for k, v in row.values.items() if v}} for row in rows]
    return zlib.compress(json.dumps(data, ensure_ascii=False).encode())


def unpack_rows(packed: bytes) -> list[ImportRow]:
    empty = dict.fromkeys((column.key for column in COLUMNS), "")
    return [
        ImportRow(number=int(item["n"]), values={**empty, **item["v"]})
        for item in json.loads(zlib.decompress(packed))
    ]


def preview_keep(*, user: User, file_sha256: str, rows: list[ImportRow]) -> None:
    cache.set(
        _key(user, file_sha256), pack_rows(rows), timeout=settings.LOTSA_IMPORT_PREVIEW_SECONDS
    )


def preview_rows(*, user: User, file_sha256: str) -> list[ImportRow] | None:
    """The rows kept for this user and file; None if there are none (expired, confirmed)."""
    packed = cache.get(_key(user, file_sha256))
    if not isinstance(packed, bytes):
        return None
    return unpack_rows(packed)


def preview_forget(*, user: User, file_sha256: str) -> None:
    cache.delete(_key(user, file_sha256))
