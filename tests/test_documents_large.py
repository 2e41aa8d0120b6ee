"""A document at the size limit (20 MB, the default) goes through the whole path, with a real
clamd: upload (multipart parsing, scan, type check, encryption, storage, registration) and
download (storage, decryption, checksum, access log). The test prints the times; the figures
in docs/operations.md come from it (`scripts/test tests/test_documents_large.py -s`)."""

from __future__ import annotations

import io
import json
import statistics
import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from casework.models import Case
from documents import encryption, scanning
from documents.models import CaseDocument, ScanState
from tests.documents_helpers import pdf_bytes
from tests.factories import CaseFactory
from tests.helpers import ROOT
from tests.own_services import ClamdServer

ROUNDS = 3


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


@pytest.fixture
def case(coordinator) -> Case:
    return CaseFactory.create(coordinator=coordinator, individual__created_by=coordinator)


def test_a_20_mb_pdf_is_uploaded_scanned_encrypted_and_downloaded(
    case, settings_fixture_storage, tmp_path
):
    assert settings.LOTSA_DOCUMENT_MAX_MB == 20  # the default limit
    content = pdf_bytes("Stor handling", pad_to=20 * 1024 * 1024)
    client = Client()
    client.force_login(case.coordinator)
    times: dict[str, list[float]] = {"upload": [], "download": [], "scan": [], "encrypt": []}
    with ClamdServer(tmp_path / "clamd") as clamd:
        settings_fixture_storage.LOTSA_DOCUMENT_SCAN = "clamd"
        settings_fixture_storage.LOTSA_CLAMD_ADDRESS = clamd.address
        for _ in range(ROUNDS):
            upload = io.BytesIO(content)
            upload.name = "stor.pdf"
            elapsed, response = _timed(
                lambda upload=upload: client.post(
                    reverse("documents:document_upload", args=[case.pk]),
                    {
                        "kind": "letter_in",
                        "direction": "received",
                        "dated_on": timezone.localdate().isoformat(),
                        "title": "Stor handling",
                        "file": upload,
                    },
                )
            )
            assert response.status_code == 302, response.content[:2000]  # type: ignore[attr-defined]
            times["upload"].append(elapsed)
            document = CaseDocument.objects.order_by("-pk").first()
            assert document is not None
            assert document.scan == ScanState.CLEAN
            url = reverse("documents:document_download", args=[case.pk, document.pk])
            elapsed, response = _timed(lambda url=url: client.get(url))
            assert response.content == content  # type: ignore[attr-defined]
            times["download"].append(elapsed)
            # The two costly steps on their own.
            times["scan"].append(_timed(lambda: scanning.scan(content))[0])
            times["encrypt"].append(_timed(lambda: encryption.encrypt(content, name="x/y"))[0])
    medians = {step: round(statistics.median(values), 3) for step, values in times.items()}
    report = {"bytes": len(content), "rounds": ROUNDS, "median_seconds": medians, "all": times}
    print("\n20 MB document:", json.dumps(report, indent=1))  # noqa: T201
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "documents-20mb.json").write_text(json.dumps(report, indent=1))
    # Generous bounds: a 20 MB letter must not keep a coordinator (or a gunicorn thread) long.
    assert medians["upload"] < 30
    assert medians["download"] < 30


@pytest.fixture
def settings_fixture_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "documents", "base_url": None},
        },
    }
    return settings
