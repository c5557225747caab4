"""Benchmark: the scaled demo school served by the production stack on loopback.

Builds (unless --skip-build) one school of about 1,000 students with this year's data so
far in a PostgreSQL database set up as docs/production.md says (an application role that
owns the database it migrates, then ``audit_protect`` giving the history of changes to
its own role, through the superuser ``--database-url``), serves it as that application
role with gunicorn and ``config.settings.production``,
logs in as the demo users, and measures requests per second, p50/p95/p99 latency and the
server's CPU time per request (web workers, task worker, PostgreSQL backends, Redis) at
1, 10 and 50 concurrent clients for each scenario, next to a trivial page on the same
stack. The data is reproducible: the demo is built from a fixed seed (``--seed``), so
the same arguments give the same school, the same heaviest child and the same lessons.
Parent pages are measured warm and cold (``scenarios``); the teacher's lesson save is
compared with a trivial audited write; ``--storm`` adds the 08:00 login storm
(``login_storm``). Prints a table and writes ``bench/results/<time>.json``. Not a test.

    make bench                       # build + measure (several minutes)
    .venv/bin/python bench/run.py --skip-build --duration 5
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (
    BENCH_ENV,
    GUNICORN,
    PYTHON,
    ROOT,
    Session,
    django_lookup,
    run_load,
    server_cpu_seconds,
)

APP_ROLE = "dziennik_bench_app"
APP_PASSWORD = "dziennik-bench"  # a role of the benchmark's own server, on loopback only


def app_url(database_url: str) -> str:
    """The application's connection: ``database_url`` (a superuser's) with the bench's
    application role instead."""
    parsed = urllib.parse.urlparse(database_url)
    netloc = f"{APP_ROLE}:{APP_PASSWORD}@{parsed.hostname or '127.0.0.1'}:{parsed.port or 5432}"
    return urllib.parse.urlunparse(parsed._replace(netloc=netloc))


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
        # The production stack: a shared cache for the worker processes.
        CACHE_URL=os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/7"),
    )
    return env


def build(env: dict[str, str], database_url: str, args) -> None:
    import psycopg

    parsed = urllib.parse.urlparse(database_url)
    name = parsed.path.lstrip("/")
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone():
            conn.execute(f'CREATE ROLE "{APP_ROLE}" LOGIN')
        conn.execute(f"ALTER ROLE \"{APP_ROLE}\" LOGIN PASSWORD '{APP_PASSWORD}'")
        conn.execute(f'CREATE DATABASE "{name}" OWNER "{APP_ROLE}"')
        # as docs/production.md section 2 says (storage with cheap random reads)
        conn.execute(f'ALTER DATABASE "{name}" SET random_page_cost = 1.1')
    manage = [PYTHON, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    started = time.perf_counter()
    subprocess.run(
        [
            *manage,
            "demo",
            "--seed",
            str(args.seed),
            "--schools",
            str(args.schools),
            "--students-per-class",
            str(args.students_per_class),
            "--classes-per-level",
            str(args.classes_per_level),
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    print(
        f"built the scaled demo in {time.perf_counter() - started:.1f} s "
        f"(seed {args.seed}, {args.schools} school(s): reproducible)"
    )
    subprocess.run(
        [*manage, "audit_protect", "--owner-url", database_url, "-v0"],
        env=env,
        check=True,
        cwd=ROOT,
    )
    # planner statistics, as autovacuum would gather them in production (it may be off
    # on the benchmark's server): without them PostgreSQL picks sequential scans
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("ANALYZE")
    subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)


def start_redis(port: int):
    """A Redis of the benchmark's own (no persistence), so that its CPU time is the
    benchmark's alone and not that of other users of a shared Redis."""
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            import socket

            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return process
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise RuntimeError("redis-server did not start")


def stop(process, timeout: float = 30) -> None:
    """Stop a process group started here: TERM, and KILL if it lingers (a server still
    holding the storm's keep-alive connections)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def start_worker(env: dict[str, str]):
    """The background worker of the production stack (tasks queued in the database)."""
    command = [PYTHON, str(ROOT / "manage.py"), "db_worker", "--no-reload", "--interval", "1"]
    log = ROOT / "bench" / "results" / "worker.log"
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:  # one line per task: kept out of the figures
        return subprocess.Popen(
            command, env=env, cwd=ROOT, start_new_session=True, stdout=out, stderr=out
        )


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
    deadline = time.time() + 120  # three workers importing at once on a busy machine
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


def report_backlog(limit: float = 60.0) -> None:
    """How long after the load the worker had re-checked the warnings of every save."""
    started = time.perf_counter()
    while True:
        pending = int(
            django_lookup(
                "from dziennik.attendance.models import AttendanceMark;"
                "print(AttendanceMark.objects.filter(alerts_pending=True).count())"
            )
        )
        waited = time.perf_counter() - started
        if pending == 0 or waited > limit:
            break
        time.sleep(0.5)
    print(f"\nwarnings' check: {pending} marks waiting {waited:.1f} s after the load ended")


def storm(args, groups: set[int], database: str, results: dict) -> None:
    """The 08:00 login storm at each concurrency of ``--storm``."""
    from login_storm import WRONG_EVERY, prepare_parents, run_storm

    usernames = prepare_parents(args.storm_parents)
    print(
        f"\nlogin storm: {len(usernames)} distinct parents, each from an address of its own; "
        f"every {WRONG_EVERY}th login with a wrong password",
        flush=True,
    )
    for level in (int(c) for c in args.storm.split(",")):
        cpu_before = server_cpu_seconds(groups, database)
        row = run_storm("127.0.0.1", args.port, usernames, level, args.duration)
        cpu = server_cpu_seconds(groups, database) - cpu_before
        attempts = row["logins"] + row["failed"] + row["wrong_refused"] + row["wrong_accepted"]
        row["server_cpu_ms"] = cpu * 1000 / attempts if attempts else None
        row["logins_per_s_per_core"] = 1000 / row["server_cpu_ms"] if row["server_cpu_ms"] else 0
        results.setdefault("login_storm", []).append(row)
        print(
            f"{'login_storm':28s} c={level:<3d} {row['logins_per_s']:8.1f} logins/s  "
            f"p50 {row['p50_ms']:7.1f} ms  p95 {row['p95_ms']:7.1f} ms  "
            f"failed {row['failed']}  wrong refused {row['wrong_refused']}  "
            f"wrong let in {row['wrong_accepted']}  "
            f"server CPU {row['server_cpu_ms'] or 0:6.2f} ms/login  "
            f"= {row['logins_per_s_per_core']:.1f} logins/s per core",
            flush=True,
        )


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
    parser.add_argument("--students-per-class", type=int, default=32)
    parser.add_argument("--classes-per-level", type=int, default=4)
    parser.add_argument("--port", type=int, default=18765)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--seed", type=int, default=1, help="the demo data's random seed")
    parser.add_argument("--schools", type=int, default=1, help="schools to build (1..50)")
    parser.add_argument(
        "--storm", default="", help="login storm concurrencies, e.g. 1,10,50 (off by default)"
    )
    parser.add_argument("--storm-parents", type=int, default=600)
    args = parser.parse_args()

    redis = None
    if "BENCH_CACHE_URL" not in os.environ and shutil.which("redis-server"):
        redis = start_redis(args.port + 1)
        os.environ["BENCH_CACHE_URL"] = f"redis://127.0.0.1:{args.port + 1}/0"
    env = bench_env(app_url(args.database_url))
    BENCH_ENV.update(env)
    try:
        run(args, env, redis)
    finally:
        if redis is not None:
            stop(redis)


def run(args, env: dict[str, str], redis) -> None:
    from scenarios import SCENARIOS

    if not args.skip_build:
        build(env, args.database_url, args)
    else:  # a cache left by an earlier run may hold pages of an earlier database
        subprocess.run(
            [PYTHON, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"],
            env=env,
            check=True,
            cwd=ROOT,
        )
        django_lookup("from django.core.cache import cache; cache.clear()")
    server = start_server(env, args.port, args.workers, args.threads)
    worker = start_worker(env)
    # each runs in a session (process group) of its own
    groups = {server.pid, worker.pid} | ({redis.pid} if redis is not None else set())
    print(
        "server CPU: gunicorn, the task worker, the database's PostgreSQL backends and "
        + ("the bench's own Redis" if redis is not None else "every redis-server (shared)"),
        flush=True,
    )
    database = urllib.parse.urlparse(args.database_url).path.lstrip("/")
    results: dict[str, list[dict]] = {}
    try:
        levels = [int(c) for c in args.concurrency.split(",")]
        wanted = {s for s in args.only.split(",") if s}
        for scenario in SCENARIOS:
            if wanted and scenario.name not in wanted:
                continue
            session = Session("127.0.0.1", args.port)
            if scenario.login:
                login = scenario.login
                session.login(login() if callable(login) else login)
            make_request = scenario.prepare(session)
            make_request(0)  # warm-up and sanity check inside prepare
            # every worker's first requests (lazy imports, templates compiled): unmeasured,
            # or the first scenario – the trivial page – would carry them
            run_load(session, make_request, args.workers * args.threads, 1.0)
            for level in levels:
                cpu_before = server_cpu_seconds(groups, database)
                result = run_load(session, make_request, level, args.duration)
                cpu = server_cpu_seconds(groups, database) - cpu_before
                done = result["requests"] + result["errors"]
                result["server_cpu_ms"] = cpu * 1000 / done if done else None
                results.setdefault(scenario.name, []).append(result)
                print(
                    f"{scenario.name:28s} c={level:<3d} {result['rps']:8.1f} req/s  "
                    f"p50 {result['p50_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms  "
                    f"p99 {result['p99_ms']:7.1f} ms  errors {result['errors']}  "
                    f"server CPU {result['server_cpu_ms'] or 0:5.2f} ms/req",
                    flush=True,
                )
        if args.storm:
            storm(args, groups, database, results)
        stop(server)
        report_backlog()
    finally:
        for process in (server, worker):
            stop(process)

    baseline = {r["concurrency"]: r for r in results.get("trivial", [])}
    print("\nThroughput relative to the trivial page on the same stack:")
    for name, rows in results.items():
        if name in ("trivial", "login_storm"):
            continue
        for row in rows:
            base = baseline.get(row["concurrency"])
            if base and base["rps"]:
                ratio = row["rps"] / base["rps"]
                row["ratio_to_trivial"] = ratio
                print(f"  {name:28s} c={row['concurrency']:<3d} ratio {ratio:5.2f}")
    print("\nServer CPU per request relative to the trivial page / the trivial audited write:")
    cpu_base = {r["concurrency"]: r["server_cpu_ms"] for r in results.get("trivial", [])}
    write_base = {
        r["concurrency"]: r["server_cpu_ms"] for r in results.get("teacher_audited_write", [])
    }
    for name, rows in results.items():
        for row in rows:
            level = row.get("concurrency")
            cpu = row.get("server_cpu_ms")
            if cpu and cpu_base.get(level):
                row["cpu_ratio_to_trivial"] = cpu / cpu_base[level]
            if name == "teacher_lesson_save" and cpu and write_base.get(level):
                row["cpu_ratio_to_audited_write"] = cpu / write_base[level]
                print(
                    f"  lesson save / audited write c={level:<3d} "
                    f"{cpu:.2f} / {write_base[level]:.2f} ms = ratio {cpu / write_base[level]:.2f}"
                )
    for name, rows in results.items():
        for row in rows:
            if name.endswith("_cold") and row.get("server_cpu_ms"):
                print(
                    f"  {name:28s} c={row['concurrency']:<3d} {row['server_cpu_ms']:6.2f} ms CPU "
                    f"(trivial {cpu_base.get(row['concurrency']) or 0:.2f} ms)"
                )
    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    out = out_dir / time.strftime("%Y%m%d-%H%M%S.json")
    out.write_text(json.dumps({"args": vars(args), "results": results}, indent=2))
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
