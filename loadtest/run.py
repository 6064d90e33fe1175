"""`make loadtest`: 50 simulated users mixing the four journeys for 60 s against gunicorn +
PostgreSQL on 127.0.0.1; prints the p95 of each page type and fails on any error.

    .venv/bin/python -m loadtest.run
    LOADTEST_DATABASE_URL=postgres://root@127.0.0.1:5432/qjty_loadtest   # the default
    LOADTEST_USERS=50 LOADTEST_SECONDS=60                                   # the defaults

Steps: create the database if missing, migrate, seed the demo once (seed_demo is idempotent),
log the demo accounts in server-side (one session per simulated user, so the login form's
rate limit and second factor are not what is measured), start gunicorn with the production
configuration (deploy/gunicorn.conf.py, DEBUG off) and run locust headless. Only 127.0.0.1 is
contacted; the run is bounded by LOADTEST_SECONDS.
"""

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = HERE / ".out"
DEFAULT_DB = "postgres://root@127.0.0.1:5432/qjty_loadtest"
USERS = int(os.environ.get("LOADTEST_USERS", "50"))
SECONDS = int(os.environ.get("LOADTEST_SECONDS", "60"))


def server_env():
    from bench.common import server_env as bench_env

    env = bench_env()
    env["DATABASE_URL"] = os.environ.get("LOADTEST_DATABASE_URL", DEFAULT_DB)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["MEDIA_ROOT"] = str(OUT / "media")
    env["PRIVATE_MEDIA_ROOT"] = str(OUT / "private_media")
    return env


def prepare():
    """Migrate and seed the load-test database; return the plan the locustfile reads."""
    os.environ.update(server_env())
    sys.path.insert(0, str(REPO))
    from bench.common import ensure_database

    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import Role, User
    from certification.models import Certificate, Source
    from certification.verification import verification_url
    from cms.models import ArticleIndexPage, ArticlePage
    from registry.models import County

    call_command("migrate", verbosity=0, interactive=False)
    if not User.objects.filter(username="demo_commission").exists():
        print("seed_demo ...", flush=True)
        call_command("seed_demo", verbosity=0)

    def sessions(user, count):
        cookies = []
        for _ in range(count):
            client = Client()
            client.force_login(user)
            cookies.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
        return cookies

    trainee = User.objects.get(username="demo_trainee")
    provider = User.objects.get(username="demo_provider")
    commission = User.objects.get(username="demo_commission")
    county = User.objects.get(username="demo_qilin")
    from training.models import CourseRun

    rng = random.Random(50)
    certs = list(Certificate.objects.filter(source=Source.PLATFORM).only("number", "verification_token")[:300])
    articles = list(ArticlePage.objects.live().public().specific(defer=True)[:300])
    survey = None
    try:
        from cms.models import SurveyPage

        page = SurveyPage.objects.live().first()
        survey = page.get_url() if page else None
    except ImportError:
        pass
    plan = {
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "sessions": {
            "trainee": sessions(trainee, 12),
            "provider": sessions(provider, 6),
            "commission": sessions(commission, 6),
            "county": sessions(county, 6),
        },
        "articles": [a.get_url() for a in articles] or ["/"],
        "article_index": (ArticleIndexPage.objects.first().get_url() if ArticleIndexPage.objects.exists() else "/"),
        "verify": [verification_url(c, absolute=False) for c in certs] or ["/certificates/verify/"],
        "survey": survey,
        "runs": list(CourseRun.objects.filter(provider_id=provider.provider_id).values_list("pk", flat=True)[:20]),
        "counties": [str(pk) for pk in County.objects.values_list("pk", flat=True)],
        "metric_keys": ["director_training_person_times", "caregiver_training_person_times", "talents_trained",
                        "certified_rate", "parenting_knowledge_rate"],
    }
    rng.shuffle(plan["verify"])
    return plan


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(proc, port, timeout=120):
    import http.client

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("gunicorn exited: see loadtest/.out/gunicorn.log")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not start in time")


def main():
    OUT.mkdir(exist_ok=True)
    plan = prepare()
    plan_path = OUT / "plan.json"
    plan_path.write_text(json.dumps(plan, ensure_ascii=False))
    port = free_port()
    env = server_env()
    env["GUNICORN_BIND"] = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/gunicorn"), "-c", str(REPO / "deploy/gunicorn.conf.py"), "config.wsgi:application"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(OUT / "gunicorn.log", "w"), start_new_session=True,
    )
    try:
        wait_ready(server, port)
        print(f"locust: {USERS} users, {SECONDS} s, http://127.0.0.1:{port}", flush=True)
        locust_env = {**os.environ, "LOADTEST_PLAN": str(plan_path)}
        subprocess.run(
            [str(REPO / ".venv/bin/locust"), "-f", str(HERE / "locustfile.py"), "--headless",
             "-u", str(USERS), "-r", str(max(1, USERS // 10)), "-t", f"{SECONDS}s", "--stop-timeout", "10",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(OUT / "stats"), "--only-summary",
             "--loglevel", "WARNING"],
            cwd=REPO, env=locust_env, timeout=SECONDS + 120, check=False,
        )
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
    return report(OUT / "stats_stats.csv", OUT / "stats_failures.csv")


def report(stats_path, failures_path):
    if not stats_path.is_file():
        print("load test FAILED: locust produced no statistics (see the output above)")
        return 1
    rows = list(csv.DictReader(open(stats_path, encoding="utf-8")))
    print()
    print(f"{'page type':<32} {'requests':>9} {'failures':>9} {'median ms':>10} {'p95 ms':>8}")
    total_failures = 0
    for row in rows:
        name = "all pages" if row["Name"] == "Aggregated" else row["Name"]
        failures = int(row["Failure Count"])
        if row["Name"] != "Aggregated":
            total_failures += failures
        print(f"{name:<32} {row['Request Count']:>9} {failures:>9} {row['50%']:>10} {row['95%']:>8}")
    print()
    if total_failures:
        for row in csv.DictReader(open(failures_path, encoding="utf-8")):
            print(f"FAILED {row['Name']}: {row['Error']} ×{row['Occurrences']}")
        print(f"load test FAILED: {total_failures} errors")
        return 1
    print("load test passed: zero errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
