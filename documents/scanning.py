"""Virus scanning of uploads through ClamAV's daemon, clamd (INSTREAM: the bytes are sent over
the socket, so clamd may run in another container or on another host).

Fails closed: when clamd cannot be reached, answers an error or takes longer than
LOTSA_CLAMD_TIMEOUT, the upload is refused. Only LOTSA_DOCUMENT_SCAN=off stores files
unscanned (the pages then say that files are not scanned).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from django.conf import settings

logger = logging.getLogger(__name__)


class ScanResult:
    CLEAN = "clean"
    NOT_SCANNED = "not_scanned"


class VirusFound(Exception):
    """clamd found something in the file (the signature's name in `signature`)."""

    def __init__(self, signature: str) -> None:
        super().__init__(signature)
        self.signature = signature


class ScannerUnavailable(Exception):
    """clamd could not be asked, or did not give an answer: the upload is refused."""


def scanning_on() -> bool:
    return bool(settings.LOTSA_DOCUMENT_SCAN != "off")


def _client() -> ClamdNetworkSocket:
    address: str = settings.LOTSA_CLAMD_ADDRESS
    timeout = float(settings.LOTSA_CLAMD_TIMEOUT)
    host, _sep, port = address.rpartition(":")
    if address.startswith("/") or not port.isdigit():
        return ClamdUnixSocket(path=address.removeprefix("unix://"), timeout=int(timeout))
    return ClamdNetworkSocket(host=host.strip("[]") or "127.0.0.1", port=int(port), timeout=timeout)


@dataclass(frozen=True)
class Scanned:
    result: str  # a ScanResult


def scan(content: bytes) -> Scanned:
    """Scan `content`; VirusFound or ScannerUnavailable when it must not be stored."""
    if not scanning_on():
        return Scanned(result=ScanResult.NOT_SCANNED)
    try:
        report = _client().instream(io.BytesIO(content))
    except (ClamdError, OSError) as error:
        logger.warning("clamd at %s: %s", settings.LOTSA_CLAMD_ADDRESS, type(error).__name__)
        raise ScannerUnavailable(str(error)) from error
    state, details = report.get("stream", ("ERROR", "no answer"))
    if state == "FOUND":
        logger.warning("clamd found %s in an upload; refused", details)
        raise VirusFound(details or "")
    if state != "OK":
        logger.warning("clamd answered %s (%s); upload refused", state, details)
        raise ScannerUnavailable(f"{state} {details}")
    return Scanned(result=ScanResult.CLEAN)
