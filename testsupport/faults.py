"""Servers of our own for the fault tests and the fault drill (``bench/faults.py``).

Each fault test starts what it breaks on a free loopback port and stops or kills only
that: a ``redis-server`` subprocess, a throw-away PostgreSQL cluster (``initdb`` and
``pg_ctl`` in a temporary directory, run as the ``postgres`` user when we are root, which
initdb refuses), the application under gunicorn, the task worker. Never the machine's own
services on 5432 and 6379.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else sys.executable
GUNICORN = str(Path(PYTHON).parent / "gunicorn")
DEMO_PASSWORD = "dziennik-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check, timeout: float, what: str, pause: float = 0.1):
    """``check()``'s first true answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(pause)
    raise TimeoutError(f"{what}: not within {timeout} s")


def _stop(process: subprocess.Popen | None, sig=signal.SIGTERM) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)


# --- Redis -----------------------------------------------------------------------------


class RedisServer:
    """``redis-server`` on a free loopback port, without persistence."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            tempfile.gettempdir(),
        ]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        wait_for(self._answers, 10, "redis-server start")
        return self

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: the server and everything it held are gone."""
        _stop(self.process, signal.SIGKILL)

    def pause(self) -> None:
        """SIGSTOP: the server keeps its data but answers nothing (a network partition)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.resume()
        _stop(self.process)


# --- PostgreSQL ------------------------------------------------------------------------


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server's binaries (Debian: /usr/lib/postgresql/<n>/bin)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


class PostgresCluster:
    """A throw-away cluster in a temporary directory (trust authentication on loopback,
    no fsync: it is thrown away)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError("PostgreSQL server binaries not found under /usr/lib/postgresql")
        self.base = Path(tempfile.mkdtemp(prefix="dziennik-pg-"))
        self.data = self.base / "data"
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.base, "postgres")

    def _run(self, *command: str) -> None:
        subprocess.run(
            [*self.as_postgres, *command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.base,
        )

    def init(self) -> PostgresCluster:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        )
        return self

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c synchronous_commit=off"
        )
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
            str(self.base / "log"), "-w", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def sql(self, statement: str, database: str = "postgres") -> list[tuple]:
        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.base, ignore_errors=True)


# --- the application -------------------------------------------------------------------


def app_env(database_url: str, *, cache_url: str | None = None, tasks_in_database=True) -> dict:
    """The environment of the application's processes: the local settings without DEBUG
    (so error pages are the production's), the given database and cache."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "CACHE_URL", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DEBUG="False",
        DATABASE_URL=database_url,
        CACHE_URL=cache_url or "dummycache://",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    # Year-end archives (dziennik/archive): a directory and a test certificate per database.
    archive_dir = Path(tempfile.gettempdir()) / f"dziennik-faults-{database_url.rsplit('/', 1)[-1]}"
    env.update(
        ARCHIVE_DIR=str(archive_dir),
        ARCHIVE_P12=str(archive_dir / "test-certificate.p12"),
        ARCHIVE_P12_PASSWORD="",
    )
    if tasks_in_database:
        env["TASKS_BACKEND"] = "django_tasks_db.DatabaseBackend"
    return env


def manage(env: dict, *arguments: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), *arguments],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done.stdout


def django_code(env: dict, code: str) -> str:
    """Run ``code`` in a fresh Django process of ``env``; its standard output."""
    lines = manage(env, "shell", "--no-imports", "-c", code, timeout=120).strip().splitlines()
    return lines[-1] if lines else ""


def build_demo(env: dict) -> None:
    """Migrate and load a small demo school (about 6 s)."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "demo", "--students-per-class", "4", "--classes-per-level", "1")


class AppServer:
    """The application under gunicorn (the production server) on a free port."""

    def __init__(self, env: dict, *, workers: int = 2, threads: int = 1, log: Path | None = None):
        self.env = env
        self.port = free_port()
        self.workers = workers
        self.threads = threads
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> AppServer:
        command = [
            GUNICORN, "config.wsgi", "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(self.workers), "--threads", str(self.threads),
            "--worker-class", "gthread", "--timeout", "60", "--log-level", "warning",
        ]  # fmt: skip
        out = self.log.open("a") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, start_new_session=True, stdout=out, stderr=out
        )
        wait_for(lambda: self.status("/healthz") == 200, 60, "gunicorn start", pause=0.3)
        return self

    def status(self, path: str) -> int | None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            conn.request("GET", path)
            return conn.getresponse().status
        except OSError:
            return None

    def session(self) -> HttpSession:
        return HttpSession("127.0.0.1", self.port)

    def stop(self) -> None:
        _stop(self.process)


class TaskWorker:
    """``manage.py task_worker`` as a subprocess."""

    def __init__(self, env: dict, log: Path | None = None):
        self.env = env
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> TaskWorker:
        command = [
            PYTHON, str(ROOT / "manage.py"), "task_worker", "--no-reload",
            "--interval", "0.2", "--no-startup-delay",
        ]  # fmt: skip
        out = self.log.open("a") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, start_new_session=True, stdout=out, stderr=out
        )
        return self

    def kill(self) -> None:
        _stop(self.process, signal.SIGKILL)

    def stop(self) -> None:
        _stop(self.process)


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class HttpSession:
    """A browser's cookies over plain HTTP/1.1 connections (one per request)."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    timeout: float = 30

    def request(self, method: str, path: str, data: list | None = None) -> Response:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return Response(response.status, dict(response.getheaders()), content)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: list) -> Response:
        return self.request("POST", path, data)

    @staticmethod
    def csrf_token(html: str) -> str:
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            raise RuntimeError("no CSRF token on the page")
        return match.group(1)

    def login(self, username: str, password: str = DEMO_PASSWORD) -> None:
        page = self.get("/konto/logowanie/")
        token = self.csrf_token(page.text)
        answer = self.post(
            "/konto/logowanie/",
            [("username", username), ("password", password), ("csrfmiddlewaretoken", token)],
        )
        if answer.status != 302:
            raise RuntimeError(f"login of {username}: HTTP {answer.status}")
