"""The 08:00 login storm: many distinct parents log in at once.

Each login is what a parent's browser does: fetch the login page (a CSRF cookie and
token), post the user name and password (Argon2 check, a new session), and open the
first page the login leads to. Every simulated family comes from an address of its own
(``X-Forwarded-For``, believed from the loopback proxy as in production), as families at
home do; one login in ``WRONG_EVERY`` uses a wrong password and must be refused, every
other one must succeed.
"""

from __future__ import annotations

import http.client
import itertools
import re
import threading
import time
import urllib.parse

from harness import DEMO_PASSWORD, django_lookup, percentile_ms, run_threads

WRONG_EVERY = 25


def prepare_parents(count: int) -> list[str]:
    """``count`` guardians of school 1 with the demo password set (one Argon2 hash at the
    production cost, stored for all of them by one bulk update that moves the school's
    configuration version as the service would), activated, none forced to change it."""
    names = django_lookup(
        "from django.contrib.auth.hashers import make_password;"
        "from django.utils import timezone;"
        "from dziennik.accounts.models import User;"
        "from dziennik.core import cache;"
        "from dziennik.schools.models import School;"
        "school = School.objects.order_by('pk').first();"
        "ids = list(User.objects.filter(school=school, guardian_profile__isnull=False)"
        f" .order_by('pk').values_list('pk', flat=True)[:{count}]);"
        f"User.objects.filter(pk__in=ids).update(password=make_password({DEMO_PASSWORD!r}),"
        " must_change_password=False, activated_at=timezone.now());"
        "cache.bump(cache.config_scope(school.pk));"
        "print(*User.objects.filter(pk__in=ids).order_by('pk').values_list('username', flat=True))"
    ).split()
    if len(names) < count:
        raise RuntimeError(f"only {len(names)} guardians in school 1")
    return names


def _address(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def one_login(host: str, port: int, username: str, password: str, address: str) -> bool:
    """Log in and open the first page; True when the parent got in."""
    conn = http.client.HTTPConnection(host, port, timeout=60)
    base = {
        "Host": f"{host}:{port}",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": address,
        "Referer": f"https://{host}:{port}/konto/logowanie/",
    }
    cookies: dict[str, str] = {}

    def send(method: str, path: str, body: bytes | None = None, extra=None):
        headers = dict(base, Cookie="; ".join(f"{k}={v}" for k, v in cookies.items()))
        headers.update(extra or {})
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), data

    try:
        status, _, html = send("GET", "/konto/logowanie/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or not match:
            return False
        body = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": match[1]}
        ).encode()
        status, location, _ = send(
            "POST", "/konto/logowanie/", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            return False
        path = urllib.parse.urlparse(location).path or "/"
        status, _, _ = send("GET", path)
        return status == 200
    finally:
        conn.close()


def run_storm(host: str, port: int, usernames: list[str], concurrency: int, duration: float):
    """``concurrency`` families at a time, each a new parent, for ``duration`` seconds."""
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    failed = 0  # a right password refused, or an error: must stay 0
    let_in = 0  # a wrong password accepted: must stay 0
    refused = 0  # wrong passwords refused, as they should be
    stop_at = time.perf_counter() + duration

    def worker() -> None:
        nonlocal failed, let_in, refused
        while time.perf_counter() < stop_at:
            n = next(counter)
            wrong = n % WRONG_EVERY == WRONG_EVERY - 1
            password = "not-the-password" if wrong else DEMO_PASSWORD
            start = time.perf_counter()
            try:
                ok = one_login(host, port, usernames[n % len(usernames)], password, _address(n))
            except (OSError, http.client.HTTPException):
                ok = False
                wrong = False
            elapsed = time.perf_counter() - start
            with lock:
                if wrong:
                    if ok:
                        let_in += 1
                    else:
                        refused += 1
                elif ok:
                    latencies.append(elapsed)
                else:
                    failed += 1

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    wall = run_threads(threads)
    latencies.sort()

    def pct(p: float) -> float:
        return percentile_ms(latencies, p)

    return {
        "concurrency": concurrency,
        "logins": len(latencies),
        "failed": failed,
        "wrong_refused": refused,
        "wrong_accepted": let_in,
        "logins_per_s": len(latencies) / wall if wall else 0.0,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
    }
