"""Reading the environment, remembering what was read."""

from __future__ import annotations

import environ


class RecordingEnv(environ.Env):
    """environ.Env that remembers the name of every variable the settings read: the backup
    (operations/backup.py) keeps the values of exactly these."""

    read: set[str] = set()

    def get_value(self, var: str, *args: object, **kwargs: object) -> object:
        self.read.add(var)
        return super().get_value(var, *args, **kwargs)
