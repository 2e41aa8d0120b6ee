"""The README's run command, as a new user would meet it: set up on SQLite, then serve."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest

from tests.helpers import ROOT, clean_env
from tests.own_services import free_port


@pytest.fixture
def demo_env(tmp_path):
    return clean_env(
        DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}", PYTHON=sys.executable
    )


def test_setup_steps_then_the_login_page_is_served(demo_env):
    first = subprocess.run(
        [str(ROOT / "scripts/demo-setup")],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    assert "Demo accounts (shown only this once)" in first.stdout
    assert "koordinator" in first.stdout

    again = subprocess.run(
        [str(ROOT / "scripts/demo-setup")],
        env=demo_env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    assert "already exist" in again.stdout  # idempotent; passwords are not printed twice
    assert "password:" not in again.stdout

    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=demo_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/") as page:
                    assert page.status == 200
                    body = page.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert "Logga in" in body
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/vendor/bootstrap/bootstrap.min.css"
        ) as css:
            assert css.status == 200  # served by the app itself, no CDN
    finally:
        server.terminate()
        server.wait(timeout=10)
