"""Run the reminder scan without a broker: once, or every few minutes with --loop.

Without a Celery broker (the zero-install default) nothing else runs the periodic scan, so
`make run` starts `run_reminders --loop` beside the web server. With a broker, Celery beat runs
the same scan; running both is harmless (the scan is exactly-once).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, close_old_connections

from accounts.tasks import send_unsent_notification_emails
from reflection_period import services


class Command(BaseCommand):
    help = "Create and send the reflection-period reminders that are due (one pass, or --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--loop",
            action="store_true",
            help="Keep running: one pass every LOTSA_REMINDER_SCAN_MINUTES (stop with Ctrl+C).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="Seconds between passes with --loop (default: LOTSA_REMINDER_SCAN_MINUTES).",
        )
        parser.add_argument(
            "--recompute-deadlines",
            action="store_true",
            help="First recompute every stored deadline (after the thresholds were changed).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["recompute_deadlines"]:
            count = services.deadlines_recompute()
            self.stdout.write(f"Deadlines recomputed: {count}")
        if not options["loop"]:
            self._pass()
            return
        interval = options["interval"] or settings.LOTSA_REMINDER_SCAN_MINUTES * 60
        stop = threading.Event()

        def _stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(f"Reminder scan every {interval:g} s (stop with Ctrl+C).")
        try:
            while not stop.is_set():
                try:
                    self._pass()
                except DatabaseError as error:  # e.g. tables not there yet: try again later
                    self.stderr.write(
                        f"Reminder scan failed, retrying later: {type(error).__name__}"
                    )
                # A long-running process must not keep a broken or too old connection.
                close_old_connections()
                stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Reminder scan stopped.")

    def _pass(self) -> None:
        result = services.reminders_scan()
        # Without a broker this loop is also the safety net for notification e-mails.
        emails = send_unsent_notification_emails()
        self.stdout.write(
            f"Reminders: {result.created} created, {result.recovered} unsent delivered, "
            f"{result.acknowledged} acknowledged; notification e-mails re-queued: {emails}.",
        )
        self.stdout.flush()
