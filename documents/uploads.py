"""The upload size limit, applied while the request is read.

Django would otherwise take in a file of any size (into a temporary file) before the form could
refuse it. This handler counts the bytes of each file as they arrive and, past the limit, stops
keeping them: the rest of the request is read and thrown away, nothing is written, and the form
says that the file is too large (a form error with status 400, not a reset connection or a 500).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest


class SizeLimitUploadHandler(FileUploadHandler):
    """Skips every file larger than `limit` bytes and records that it did (`too_large`)."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.too_large = True
            # The handlers after this one drop what they kept of this file (their temporary
            # file is closed and deleted) and the parser skips the rest of it.
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limit_uploads(request: HttpRequest, limit: int) -> SizeLimitUploadHandler:
    """Put the size limit in front of Django's handlers; call before the body is read."""
    handler = SizeLimitUploadHandler(request, limit)
    # Still a plain list: nothing has read the body yet (it becomes immutable once read).
    handlers = request.upload_handlers
    if not isinstance(handlers, list):
        raise RuntimeError("the request body was read before the upload size limit was set")
    handlers.insert(0, handler)
    return handler
