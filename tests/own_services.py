"""Servers a fault test starts, stops and starts again itself: never the shared ones.

Each runs on a free loopback port with its data in the test's temporary directory, and is
stopped when the test ends, whatever happened.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest


def free_ports(count: int) -> list[int]:
    """`count` different free loopback ports. Each socket stays bound until all are chosen:
    the kernel may hand out again a port it has just freed (seen: gunicorn's port chosen
    again as Caddy's, whose HTTP server then answered the proxy's requests to the app)."""
    with contextlib.ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _n in range(count)]
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [int(sock.getsockname()[1]) for sock in sockets]


def free_port() -> int:
    (port,) = free_ports(1)
    return port


def _wait_for_port(port: int, *, up: bool, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.2)
            reachable = sock.connect_ex(("127.0.0.1", port)) == 0
        if reachable == up:
            return
        time.sleep(0.1)
    raise TimeoutError(f"port {port} still {'closed' if up else 'open'} after {timeout} s")


class RedisServer:
    """A redis-server of the test's own, with the compose file's persistence (append-only
    file): stopped and started again, it keeps its data, as Redis in production does."""

    def __init__(self, directory: Path) -> None:
        if not shutil.which("redis-server"):
            pytest.fail("redis-server is not installed (apt-get install redis-server)")
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--save",
                "",
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, up=True)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()  # SIGTERM: Redis writes its append-only file and exits
        self.process.wait(timeout=20)
        self.process = None
        _wait_for_port(self.port, up=False)

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=20)
            self.process = None


def pg_bin(name: str) -> str:
    """A PostgreSQL server program (Debian keeps them out of PATH)."""
    found = shutil.which(name)
    if found:
        return found
    for version in sorted(os.listdir("/usr/lib/postgresql"), reverse=True):
        candidate = Path("/usr/lib/postgresql") / version / "bin" / name
        if candidate.exists():
            return str(candidate)
    pytest.fail(f"PostgreSQL's {name} is not installed")


class PostgresServer:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, trust auth on
    loopback), to stop and start again under a running application."""

    def __init__(self) -> None:
        # Not under pytest's tmp_path, whose parents only root may enter: the server runs as
        # the postgres user when the tests run as root.
        directory = Path(tempfile.mkdtemp(prefix="lotsa-test-pg-"))
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        user = "postgres"
        env = {**os.environ, "LC_ALL": "C.UTF-8"}
        # initdb refuses to run as root; the cluster then belongs to the postgres user.
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(directory, user)
            directory.chmod(0o755)
            self._as_user = ["runuser", "-u", user, "--"]
        subprocess.run(
            [*self._as_user, pg_bin("initdb"), "-D", str(self.data), "-U", user, "-A", "trust"],
            check=True,
            capture_output=True,
            env=env,
        )

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *self._as_user,
                pg_bin("postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                f"unix_socket_directories={self.directory}",
                "-c",
                "fsync=off",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, up=True, timeout=60)
        time.sleep(0.5)  # the port opens a moment before connections are accepted

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()  # SIGTERM: smart shutdown once clients are gone
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            # SIGINT: fast shutdown, ending the clients' connections (as a restart does).
            self.process.send_signal(2)
            self.process.wait(timeout=30)
        self.process = None
        _wait_for_port(self.port, up=False)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=30)
            self.process = None
        shutil.rmtree(self.directory, ignore_errors=True)


# The EICAR test string, which every virus scanner reports as a virus (harmless by design). It
# is assembled here, never kept whole in a file of the repository: scanners elsewhere would
# flag the repository itself.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"


class ClamdServer:
    """ClamAV's daemon (Debian's clamav-daemon) on a loopback port, on a signature database the
    test writes: the machines cannot download ClamAV's. The database holds the MD5 signature of
    the EICAR string and of any other content given (`signatures`), so clamd reports them as
    viruses exactly as it would a real one."""

    def __init__(self, directory: Path, signatures: dict[str, bytes] | None = None) -> None:
        if not shutil.which("clamd"):
            pytest.fail("clamd is not installed (apt-get install clamav-daemon)")
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        found = {"Eicar-Test-Signature": EICAR, **(signatures or {})}
        (directory / "lotsa-test.hdb").write_text(
            "".join(
                f"{hashlib.md5(content).hexdigest()}:{len(content)}:{name}\n"  # noqa: S324
                for name, content in found.items()
            )
        )
        (directory / "clamd.conf").write_text(
            f"DatabaseDirectory {directory}\n"
            f"TCPSocket {self.port}\n"
            "TCPAddr 127.0.0.1\n"
            "Foreground yes\n"
            f"LogFile {directory / 'clamd.log'}\n"
            # Above Lotsa's upload limit (clamd's default is 25 MB).
            "StreamMaxLength 64M\n"
        )

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["clamd", "-c", str(self.directory / "clamd.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, up=True, timeout=60)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        self.process.wait(timeout=20)
        self.process = None
        _wait_for_port(self.port, up=False)

    def __enter__(self) -> ClamdServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=20)
            self.process = None


class MotoS3Server:
    """An S3-compatible object store (moto's server mode) on a loopback port, with one bucket."""

    bucket = "lotsa-test-documents"
    access_key = "lotsa-test"
    secret_key = "lotsa-test-secret"

    def __init__(self) -> None:
        found = shutil.which("moto_server", path=str(Path(sys.executable).parent))
        if not found:
            pytest.fail("moto's server is not installed (requirements/dev.txt)")
        self.program = found
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> Any:
        import boto3  # type: ignore[import-untyped]  # boto3 ships no type information

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
        )

    def __enter__(self) -> MotoS3Server:
        self.process = subprocess.Popen(
            [self.program, "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for_port(self.port, up=True, timeout=30)
        self.client().create_bucket(Bucket=self.bucket)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None
