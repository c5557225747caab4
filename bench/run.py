"""Benchmark: the scaled demo school served by the production stack on loopback.

Builds (unless --skip-build) one school of about 1,000 students with this year's data so
far in a PostgreSQL database, serves it with gunicorn and ``config.settings.production``,
logs in as the demo users, and measures requests per second and p50/p95/p99 latency at
1, 10 and 50 concurrent clients for each scenario, next to a trivial page on the same
stack. Prints a table and writes ``bench/results/<time>.json``. Not a test.

    make bench                       # build + measure (several minutes)
    .venv/bin/python bench/run.py --skip-build --duration 5
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
DEMO_PASSWORD = "dziennik-demo"
sys.path.insert(0, str(ROOT / "bench"))


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
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000

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


def bench_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=database_url,
        SECRET_KEY="bench-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        EMAIL_URL="smtp://127.0.0.1:2525",
        SECURE_SSL_REDIRECT="False",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
    )
    return env


def build(env: dict[str, str], database_url: str, args) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    started = time.perf_counter()
    subprocess.run(
        [
            *manage,
            "demo",
            "--seed",
            "1",
            "--schools",
            "1",
            "--students-per-class",
            str(args.students_per_class),
            "--classes-per-level",
            str(args.classes_per_level),
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    print(f"built the scaled demo in {time.perf_counter() - started:.1f} s")
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)


def start_server(env: dict[str, str], port: int, workers: int, threads: int):
    command = [
        GUNICORN,
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--keep-alive",
        "30",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGTERM)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dziennik_bench"
        ),
    )
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--concurrency", default="1,10,50")
    parser.add_argument("--students-per-class", type=int, default=25)
    parser.add_argument("--classes-per-level", type=int, default=5)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    args = parser.parse_args()

    from scenarios import SCENARIOS

    env = bench_env(args.database_url)
    if not args.skip_build:
        build(env, args.database_url, args)
    server = start_server(env, args.port, args.workers, args.threads)
    results: dict[str, list[dict]] = {}
    try:
        levels = [int(c) for c in args.concurrency.split(",")]
        wanted = {s for s in args.only.split(",") if s}
        for scenario in SCENARIOS:
            if wanted and scenario.name not in wanted:
                continue
            session = Session("127.0.0.1", args.port)
            if scenario.login:
                session.login(scenario.login)
            make_request = scenario.prepare(session)
            make_request(0)  # warm-up and sanity check inside prepare
            for level in levels:
                result = run_load(session, make_request, level, args.duration)
                results.setdefault(scenario.name, []).append(result)
                print(
                    f"{scenario.name:28s} c={level:<3d} {result['rps']:8.1f} req/s  "
                    f"p50 {result['p50_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms  "
                    f"p99 {result['p99_ms']:7.1f} ms  errors {result['errors']}",
                    flush=True,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)

    baseline = {r["concurrency"]: r for r in results.get("trivial", [])}
    print("\nThroughput relative to the trivial page on the same stack:")
    for name, rows in results.items():
        if name == "trivial":
            continue
        for row in rows:
            base = baseline.get(row["concurrency"])
            if base and base["rps"]:
                ratio = row["rps"] / base["rps"]
                row["ratio_to_trivial"] = ratio
                print(f"  {name:28s} c={row['concurrency']:<3d} ratio {ratio:5.2f}")
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / time.strftime("%Y%m%d-%H%M%S.json")
    out.write_text(json.dumps({"args": vars(args), "results": results}, indent=2))
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
