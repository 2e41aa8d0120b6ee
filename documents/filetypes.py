"""Which files a case may hold: the type read from the content (never the browser's word for it),
and it must match the file name's extension.

The type comes from the file's first bytes (`filetype`, pure Python: no system library); the two
office formats, which are ZIP archives, are confirmed from the archive's table of contents.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import filetype
from django.db import models
from django.utils.translation import gettext_lazy as _


class FileType(models.TextChoices):
    PDF = "pdf", "PDF"
    JPEG = "jpeg", "JPEG"
    PNG = "png", "PNG"
    DOCX = "docx", _("Word document (DOCX)")
    ODT = "odt", _("OpenDocument text (ODT)")


@dataclass(frozen=True)
class Kind:
    mime: str
    extensions: tuple[str, ...]
    previewable: bool  # shown in the browser (PDF, images); the rest only downloads


KINDS: dict[str, Kind] = {
    FileType.PDF: Kind("application/pdf", (".pdf",), True),
    FileType.JPEG: Kind("image/jpeg", (".jpg", ".jpeg"), True),
    FileType.PNG: Kind("image/png", (".png",), True),
    FileType.DOCX: Kind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (".docx",),
        False,
    ),
    FileType.ODT: Kind("application/vnd.oasis.opendocument.text", (".odt",), False),
}

_BY_MIME = {kind.mime: file_type for file_type, kind in KINDS.items()}
ACCEPTED_EXTENSIONS = tuple(ext for kind in KINDS.values() for ext in kind.extensions)


def _office_type(content: bytes) -> str | None:
    """DOCX or ODT from the archive's contents (a plain ZIP is neither)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared == KINDS[FileType.ODT].mime and "content.xml" in names:
                    return FileType.ODT
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return FileType.DOCX
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError, ValueError):
        return None
    return None


def sniff(content: bytes) -> str | None:
    """The FileType of `content` read from its bytes, or None if it is none of them."""
    guessed = filetype.guess(content[:8192])
    mime = guessed.mime if guessed is not None else ""
    if mime in (KINDS[FileType.DOCX].mime, KINDS[FileType.ODT].mime, "application/zip"):
        return _office_type(content)
    return _BY_MIME.get(mime)


def extension_of(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def matches_extension(file_type: str, name: str) -> bool:
    return extension_of(name) in KINDS[file_type].extensions
