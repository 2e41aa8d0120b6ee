"""Long work done in the background: the registry of what can be made, and the hook that starts
it.

An export that takes more than a moment at national scale (the case list's CSV, a registerutdrag)
is made by a Celery task, and the person who asked for it follows its progress on a page and
downloads it from there. Other long work (a retention proposal) goes the same way and its page
leads to the result. The jobs, their files and their pages are the exportjobs app's; the
apps whose data is exported sit below it and cannot import it, so they name their kind of file
here (`register_kind`, from their AppConfig.ready) and start a job through `start_file`, which
the exportjobs app fills in (`register_starter`).

A kind's `build` runs in the worker (or in-process without a broker). It reads through the same
access rules as the page that asked for it, with the user who asked, and returns the file and
the objects it shows; the exportjobs app writes those to the access log when the file is made and
again when it is downloaded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# done, total: how far a build has come (any unit: rows, pages).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Shown:
    """Objects of one type a file shows, for the access log: one row per (object id,
    individual id), each with `detail`."""

    object_type: str
    items: list[tuple[str, int | None]]
    detail: str = ""


@dataclass(frozen=True)
class BuiltFile:
    """A made file, and what it shows. Work whose result is a page rather than a file (a
    retention proposal) leaves the file empty and names the page in `result_url`: the job's page
    then sends the person there."""

    filename: str = ""
    content_type: str = ""
    content: bytes = b""
    shown: list[Shown] = field(default_factory=list)
    result_url: str = ""


@dataclass(frozen=True)
class FileKind:
    """A kind of file: its name (`app.what`), what the page calls it, who may still download
    it (any of `roles`), and how it is made from the user who asked and the request's
    parameters (JSON-serialisable)."""

    name: str
    label: Any  # a lazy translation
    roles: Sequence[str]
    build: Callable[[Any, dict[str, Any], Progress], BuiltFile]


class BuildRefused(Exception):
    """A build that cannot make its file for a reason the person who asked should read (a
    document that cannot be decrypted): the message is shown on the job's page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_kinds: dict[str, FileKind] = {}
_starter: list[Callable[..., str]] = []


def register_kind(kind: FileKind) -> None:
    _kinds[kind.name] = kind


def file_kind(name: str) -> FileKind:
    """The registered kind; KeyError for an unknown one."""
    return _kinds[name]


def register_starter(starter: Callable[..., str]) -> None:
    """The exportjobs app: `starter(kind=, by=, params=, view_name=, ip_address=)` records the
    job, queues it, and returns the address of its progress page."""
    _starter[:] = [starter]


def start_file(
    *, kind: str, by: Any, params: dict[str, Any], view_name: str, ip_address: str | None
) -> str:
    """Queue the making of a file of `kind` for `by`; the address of its progress page."""
    if not _starter:
        raise RuntimeError("no app makes files in the background (exportjobs not installed)")
    file_kind(kind)  # an unknown kind fails here, in the request, not later in the worker
    return _starter[0](kind=kind, by=by, params=params, view_name=view_name, ip_address=ip_address)
