"""Files for the case-document tests, made here: real PDF, PNG, JPEG, DOCX and ODT bytes."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib


def pdf_bytes(text: str = "Beslut", *, pad_to: int = 0) -> bytes:
    """A small valid one-page PDF showing `text`; `pad_to` makes it exactly that many bytes
    long (an unused stream of random-looking bytes, as a scanned letter would have)."""
    if not pad_to:
        return _pdf(text, 0)
    filler = pad_to
    for _ in range(3):  # the filler's length changes a few digits of the file: settle it
        content = _pdf(text, filler)
        filler += pad_to - len(content)
    assert len(content) == pad_to, (len(content), pad_to)
    return content


def _pdf(text: str, filler: int) -> bytes:
    stream = f"BT /F1 18 Tf 72 720 Td ({text.encode('latin-1', 'replace').decode('latin-1')}) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream".encode("latin-1"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    if filler:
        # An unreferenced stream object: readers skip it; its bytes are incompressible.
        body = _noise(max(filler, 0))
        offsets.append(out.tell())
        out.write(
            f"{len(objects) + 1} 0 obj\n<< /Length {len(body)} >>\nstream\n".encode()
            + body
            + b"\nendstream\nendobj\n"
        )
    xref = out.tell()
    out.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def _noise(size: int) -> bytes:
    """Deterministic bytes that do not compress (a counter through SHA-256)."""
    import hashlib

    blocks = []
    for counter in range(size // 32 + 1):
        blocks.append(hashlib.sha256(counter.to_bytes(8, "big")).digest())
    return b"".join(blocks)[:size]


def png_bytes() -> bytes:
    """A 1 × 1 pixel PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    """The start of a JPEG (JFIF) file: what the type check reads."""
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\x00" * 64
        + b"\xff\xd9"
    )


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return out.getvalue()


def odt_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text"
        )  # first and stored, as the format requires
        archive.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        archive.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest/>')
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return out.getvalue()
