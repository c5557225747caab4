"""Shared pieces of the benchmark: HTTP session, load loop, lookups in the database."""

from __future__ import annotations

import http.client
import os
import re
import statistics
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEMO_PASSWORD = "dziennik-demo"


@dataclass
class Scenario:
    """One page (or write) to measure. ``prepare(session)`` returns a request factory."""

    name: str
    login: str | None
    prepare: object  # Callable[[Session], Callable[[int], tuple[str, str, bytes | None, dict]]]


@dataclass
class Session:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {
            "Host": f"{self.host}:{self.port}",
            "Cookie": cookie,
            # The production stack sits behind a TLS-terminating proxy; say we came that way.
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{self.host}:{self.port}/",
        }

    def request(self, method: str, path: str, body: bytes | None = None, extra=None):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = self.headers()
        if extra:
            headers.update(extra)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        conn.close()
        return response.status, dict(response.getheaders()), data

    def csrf_from(self, html: bytes) -> str:
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if not match:
            raise RuntimeError("no CSRF token on the page")
        return match.group(1).decode()

    def login(self, username: str) -> None:
        status, _, html = self.request("GET", "/konto/logowanie/")
        token = self.csrf_from(html)
        body = urllib.parse.urlencode(
            {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token}
        ).encode()
        status, _headers, _ = self.request(
            "POST",
            "/konto/logowanie/",
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302:
            raise RuntimeError(f"login as {username} failed: HTTP {status}")


def django_lookup(code: str) -> str:
    """Run ``code`` in ``manage.py shell`` against the benchmark database; its stdout."""
    result = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "shell", "-v0", "-c", code],
        env=BENCH_ENV,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


BENCH_ENV: dict[str, str] = {}
# Whether the cache is a Redis shared with others (``BENCH_CACHE_URL``): then the CPU of
# every redis-server on the machine is counted; otherwise the bench's own is (its group).
SHARED_REDIS = "BENCH_CACHE_URL" in os.environ


def server_cpu_seconds(groups: set[int], database: str) -> float:
    """CPU time used so far by the stack under test: the processes of ``groups`` (the web
    server's, the task worker's and the bench's own Redis), the PostgreSQL backends of
    ``database`` (and a shared Redis, see ``SHARED_REDIS``).

    Throughput on a shared 2-CPU machine moves with whatever else runs; the CPU spent per
    request does much less, so it is reported next to it.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    postmasters: set[int] = set()
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ours = int(fields[2]) in groups
        backend = command.startswith("postgres:") and f" {database} " in command
        shared_redis = SHARED_REDIS and command.startswith("redis-server")
        if ours or backend or shared_redis:
            total += int(fields[11]) + int(fields[12])
        if ours:  # and that of its children that ended (a gunicorn worker restarted)
            total += int(fields[13]) + int(fields[14])
        if command.startswith("postgres:"):
            postmasters.add(int(fields[1]))
    # A backend that ended between two readings (its connection closed: a worker
    # restarted, ``CONN_MAX_AGE``) leaves the sum, and with it all the CPU it had used
    # since it started: the difference of two readings could even be negative (seen:
    # -10 ms per login at 50 clients). Its parent, the postmaster, counts the CPU of its
    # children that ended, so adding that keeps the difference right (as the gunicorn
    # master's for its workers above). It counts every database's backends and the
    # autovacuum's too: on a quiet machine, what ours cost.
    for pid in postmasters:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[13]) + int(fields[14])
    return total / ticks


def run_threads(threads: list[threading.Thread]) -> float:
    """Start the threads together, wait for all of them; the wall time in seconds."""
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def percentile_ms(latencies: list[float], p: float) -> float:
    """The ``p``-th percentile of sorted latencies in seconds, in milliseconds."""
    if not latencies:
        return float("nan")
    return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000


def run_load(session: Session, make_request, concurrency: int, duration: float) -> dict:
    """``concurrency`` threads, each with its own keep-alive connection, for ``duration``."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + duration
    headers = session.headers()

    def worker(index: int) -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(session.host, session.port, timeout=30)
        local: list[float] = []
        local_errors = 0
        n = 0
        while time.perf_counter() < stop_at:
            method, path, body, extra = make_request(index * 1_000_000 + n)
            n += 1
            h = dict(headers, **extra)
            start = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=h)
                response = conn.getresponse()
                response.read()
                ok = response.status in (200, 302)
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(session.host, session.port, timeout=30)
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(session.host, session.port, timeout=30)
            elapsed = time.perf_counter() - start
            if ok:
                local.append(elapsed)
            else:
                local_errors += 1
        conn.close()
        with lock:
            latencies.extend(local)
            errors += local_errors

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    wall = run_threads(threads)
    latencies.sort()

    def pct(p: float) -> float:
        return percentile_ms(latencies, p)

    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / wall if wall else 0.0,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": statistics.fmean(latencies) * 1000 if latencies else float("nan"),
    }
