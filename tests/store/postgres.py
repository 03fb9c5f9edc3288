"""A throwaway PostgreSQL server for the store's tests, driven by scripts/postgres.sh."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from footprint.paths import ROOT

SCRIPT = ROOT / "scripts" / "postgres.sh"


class Server:
    """One server in its own temporary folder (in /tmp, which the user postgres can reach)."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="footprint-pg-")
        self.url = ""

    def start(self) -> str:
        """Start it (initialising on first start); fails the test without the binaries."""
        done = self._script("start")
        if done.returncode == 3:
            pytest.fail(f"{done.stderr.strip()} -- the PostgreSQL store tests need it",
                        pytrace=False)
        if done.returncode:
            log = os.path.join(self.folder, "server.log")
            tail = open(log).read()[-2000:] if os.path.exists(log) else ""
            pytest.fail(f"scripts/postgres.sh start failed:\n{done.stderr}\n{tail}",
                        pytrace=False)
        self.url = done.stdout.strip().splitlines()[-1]
        return self.url

    def stop(self) -> None:
        """Stop it; the data stays until :meth:`remove`."""
        self._script("stop")

    def remove(self) -> None:
        """Stop it and delete its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    @contextmanager
    def database(self) -> Iterator[str]:
        """The URL of a new, empty database on this server, dropped afterwards."""
        name = f"test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(self.url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            yield make_url(self.url).set(database=name).render_as_string(hide_password=False)
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()

    def _script(self, command: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "SERVER_OPTIONS": "-c fsync=off -c full_page_writes=off"}
        return subprocess.run(["bash", str(SCRIPT), command, self.folder], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
