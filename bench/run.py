"""`make bench`: build the province-size data set, measure every figure of issue 9 next to its
baseline in the same run, print one table and write bench/results.json.

    .venv/bin/python -m bench.run                 # everything
    BENCH_SCALE=0.1 .venv/bin/python -m bench.run # a smaller data set, for a quick look
    BENCH_DATABASE_URL=postgres://root@127.0.0.1:5432/qjty_bench .venv/bin/python -m bench.run
    .venv/bin/python -m bench.run --only http,pdf # some sections (http dashboard pdf bulk import report)

Each figure is a ratio to a baseline measured in the same run, so that it holds on a noisy,
shared machine: pages against a bare Django "hello" view served by the same gunicorn
(bench/urls.py), the dashboard against the raw SQL it runs, certificate PDFs against a bare
reportlab page with the same font and QR code, the import against reading the same file.
A feature that is not in the tree prints "not available" instead of failing the bench.
"""

import io
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

from bench.common import BENCH_DIR, DATA_DIR, REPO, server_env, setup_django

RESULTS = BENCH_DIR / "results.json"
SECTIONS = ["http", "dashboard", "pdf", "bulk", "import", "report"]
HTTP_SECONDS = float(os.environ.get("BENCH_HTTP_SECONDS", "10"))
HTTP_CLIENTS = int(os.environ.get("BENCH_HTTP_CLIENTS", "8"))


class Results:
    def __init__(self):
        self.rows = []

    def add(self, key, label, value, unit="", baseline=None, ratio=None, target="", met=None, note=""):
        self.rows.append({
            "key": key, "label": label, "value": value, "unit": unit, "baseline": baseline,
            "ratio": ratio, "target": target, "met": met, "note": note,
        })

    def unavailable(self, key, label, target, reason):
        self.add(key, label, None, target=target, met=None, note=f"not available: {reason}")

    def print_table(self):
        def cell(v):
            if v is None:
                return "—"
            if isinstance(v, float):
                return f"{v:,.3f}" if abs(v) < 10 else f"{v:,.1f}"
            return str(v)

        header = ("figure", "value", "baseline", "ratio", "target", "met")
        lines = [(r["label"], f"{cell(r['value'])} {r['unit']}".strip(), cell(r["baseline"]), cell(r["ratio"]),
                  r["target"], {True: "yes", False: "NO", None: "n/a"}[r["met"]]) for r in self.rows]
        widths = [max(len(str(x)) for x in col) for col in zip(header, *lines, strict=False)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        print()
        print(fmt.format(*header))
        print(fmt.format(*("-" * w for w in widths)))
        for line, row in zip(lines, self.rows, strict=True):
            print(fmt.format(*line) + (f"   ({row['note']})" if row["note"] else ""))
        print()

    def write(self, meta):
        RESULTS.write_text(json.dumps({"meta": meta, "figures": self.rows}, ensure_ascii=False, indent=2) + "\n")


def section(name):
    print(f"\n== {name} ==", flush=True)


# --- gunicorn --------------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """The production gunicorn configuration (deploy/gunicorn.conf.py) on 127.0.0.1."""

    def __init__(self):
        self.port = free_port()
        env = server_env()
        env["GUNICORN_BIND"] = f"127.0.0.1:{self.port}"
        env.setdefault("GUNICORN_ACCESSLOG", "")
        self.proc = subprocess.Popen(
            [str(REPO / ".venv/bin/gunicorn"), "-c", str(REPO / "deploy/gunicorn.conf.py"), "config.wsgi:application"],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=open(DATA_DIR / "gunicorn.log", "w"),
            start_new_session=True,
        )

    def wait_ready(self, path="/bench-hello/", timeout=120):
        import http.client

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited: see {DATA_DIR / 'gunicorn.log'}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", path)
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def get_status(port, path):
    import http.client

    from bench.loadclient import HOST

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    # The same Host header as the load client's: a page cached for "127.0.0.1:port" (og:url
    # differs) would not be the one the timed requests ask for.
    conn.request("GET", path, headers={"Host": HOST})
    response = conn.getresponse()
    response.read()
    return response.status


def verification_paths(rng, count=400):
    from certification.models import Certificate, Source
    from certification.verification import verification_url

    ids = list(Certificate.objects.filter(source=Source.PLATFORM).values_list("pk", flat=True))
    chosen = rng.sample(ids, min(count, len(ids)))
    certs = Certificate.objects.filter(pk__in=chosen).only("number", "verification_token")
    return [verification_url(c, absolute=False) for c in certs]


def article_paths(rng, count=300):
    from cms.models import ArticlePage

    pages = list(ArticlePage.objects.live().public().specific(defer=True).order_by("pk"))
    chosen = rng.sample(pages, min(count, len(pages)))
    return [p.get_url() for p in chosen if p.get_url()]


def measure_http(results, rng):
    from bench import loadclient

    targets = {"verify": 0.30, "article": 0.25}
    paths = {"hello": ["/bench-hello/"]}
    try:
        paths["verify"] = verification_paths(rng)
    except Exception as exc:  # the certification app missing or incomplete
        paths["verify"] = []
        print(f"verification: {exc}")
    try:
        paths["article"] = article_paths(rng)
    except Exception as exc:
        paths["article"] = []
        print(f"article: {exc}")
    server = Gunicorn()
    try:
        server.wait_ready()
        usable, problems = {}, {}
        for name in ("verify", "article"):
            if not paths[name]:
                problems[name] = "no such pages in the data set"
                continue
            status = get_status(server.port, paths[name][0])
            if status == 200:
                usable[name] = paths[name]
            else:
                problems[name] = f"{paths[name][0]} answered HTTP {status} (see {DATA_DIR / 'gunicorn.log'})"
                print(f"{name}: {problems[name]}")
        # Visit every sampled path once before anything is timed: the timed run asks for each of
        # up to 300 articles about once in 10 s, so a page cache filled by the first visit of a
        # URL (cms.page_cache) would otherwise never be seen, only first renders would be timed.
        # The first visits, one at a time, are printed for what they cost.
        for name, plist in usable.items():
            started = time.monotonic()
            for path in plist:
                get_status(server.port, path)
            each = (time.monotonic() - started) / len(plist) * 1000
            print(f"{name}: first visit of {len(plist)} paths, one at a time: {each:.1f} ms each", flush=True)
        # Warm every worker (imports, template caches) before anything is timed.
        for name, plist in [("hello", paths["hello"]), *usable.items()]:
            loadclient.run(server.port, plist, HTTP_CLIENTS, 2.0)
        # hello, pages, hello: the baseline is the mean of the runs around the pages.
        runs = {"hello_1": loadclient.run(server.port, paths["hello"], HTTP_CLIENTS, HTTP_SECONDS)}
        print(f"hello: {runs['hello_1']}", flush=True)
        for name, plist in usable.items():
            runs[name] = loadclient.run(server.port, plist, HTTP_CLIENTS, HTTP_SECONDS)
            print(f"{name}: {runs[name]}", flush=True)
        runs["hello_2"] = loadclient.run(server.port, paths["hello"], HTTP_CLIENTS, HTTP_SECONDS)
        print(f"hello: {runs['hello_2']}", flush=True)
    finally:
        server.stop()
    hello = (runs["hello_1"]["rps"] + runs["hello_2"]["rps"]) / 2
    results.add("hello_rps", f"bare Django hello view ({HTTP_CLIENTS} clients, {HTTP_SECONDS:.0f} s)", hello, "req/s",
                note=f"errors {runs['hello_1']['errors'] + runs['hello_2']['errors']}")
    labels = {"verify": "certificate verification page", "article": "article page (anonymous)"}
    for name, target in targets.items():
        if name not in runs:
            results.unavailable(f"{name}_ratio", labels[name] + " req/s ÷ hello", f"≥ {target}",
                                problems.get(name, "not measured"))
            continue
        run = runs[name]
        ratio = round(run["rps"] / hello, 3) if hello else None
        results.add(f"{name}_ratio", labels[name] + " req/s ÷ hello", run["rps"], "req/s", baseline=hello,
                    ratio=ratio, target=f"≥ {target}", met=ratio is not None and ratio >= target and run["errors"] == 0,
                    note=f"p50 {run['p50_ms']} ms, p95 {run['p95_ms']} ms, errors {run['errors']}")


# --- city dashboard ----------------------------------------------------------------------------


def measure_dashboard(results):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role, User

    try:
        from django.urls import reverse

        url = reverse("monitoring:dashboard")
    except Exception as exc:
        results.unavailable("dashboard_median", "city dashboard median", "< 300 ms", str(exc))
        return
    user = User.objects.filter(role=Role.COMMISSION, is_active=True).order_by("pk").first()
    if user is None:
        results.unavailable("dashboard_median", "city dashboard median", "< 300 ms", "no commission account")
        return
    try:
        from monitoring import figures_cache
    except ImportError:
        figures_cache = None

    def forget_figures():
        # What any data change does: the figures cached under the data version no longer apply.
        if figures_cache is not None and hasattr(figures_cache, "_bump"):
            figures_cache._bump()
        else:
            cache.clear()

    client = Client()
    client.force_login(user)
    cache.clear()
    # The first (cold) request shows the SQL behind the figures, before any cache the page
    # may keep; the timed requests that follow are what visitors get.
    with CaptureQueriesContext(connection) as cold:
        first = client.get(url)
    if first.status_code != 200:
        results.unavailable("dashboard_median", "city dashboard median", "< 300 ms", f"HTTP {first.status_code}")
        return
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = [q["sql"] for q in cold.captured_queries]
    warm_count = len(captured.captured_queries)
    # Cold: the first request after a data change computes every figure (nothing cached).
    cold_times, cold_cpu = [], []
    for _ in range(5):
        forget_figures()
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(url)
        cold_times.append(time.perf_counter() - started)
        cold_cpu.append(time.process_time() - cpu_started)
    # The SQL behind the figures: every SELECT the page runs, except those that only identify the
    # visitor (session, user, lockouts, second factor), which any logged-in page runs.
    identity = ('"django_session"', '"accounts_user"', '"axes_', '"mfa_', '"account_')
    aggregates = [q for q in queries if q.lstrip().upper().startswith(("SELECT", "WITH"))
                  and not any(t in q for t in identity)]
    page_times, raw_times = [], []
    for _ in range(15):
        started = time.perf_counter()
        client.get(url)
        page_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in aggregates:
                cursor.execute(sql)
                cursor.fetchall()
        raw_times.append(time.perf_counter() - started)
    median = statistics.median(page_times) * 1000
    p95 = sorted(page_times)[int(0.95 * len(page_times))] * 1000
    cold_median = statistics.median(cold_times) * 1000
    raw = statistics.median(raw_times) * 1000
    ratio = round(cold_median / raw, 2) if raw else None
    results.add("dashboard_cold", "city dashboard, first request after a data change", round(cold_median, 1), "ms",
                target="< 300 ms", met=cold_median < 300,
                note=f"median of 5 uncached requests (max {max(cold_times) * 1000:.0f} ms), "
                     f"CPU {statistics.median(cold_cpu) * 1000:.0f} ms; {len(queries)} SQL queries")
    results.add("dashboard_median", "city dashboard median (commission, warm)", round(median, 1), "ms",
                target="< 300 ms", met=median < 300)
    results.add("dashboard_p95", "city dashboard p95 (warm)", round(p95, 1), "ms", note="15 requests")
    results.add("dashboard_queries", "city dashboard SQL queries (warm)", warm_count, "queries",
                note=f"cold request {len(queries)}, of which {len(aggregates)} read the data; "
                     "neither grows with the data")
    results.add("dashboard_vs_raw", "cold city dashboard ÷ its raw SQL", round(cold_median, 1), "ms",
                baseline=round(raw, 1), ratio=ratio, target="≤ 1.5", met=ratio is not None and ratio <= 1.5,
                note=f"raw = the cold page's {len(aggregates)} data statements run by a bare cursor")


# --- certificate PDFs ---------------------------------------------------------------------------


def bare_reportlab_page(font, url):
    """A page with nothing but a line of text in the certificate font and the QR code.

    The QR code is the `qrcode` library's matrix (error correction M, 4-module quiet zone, the
    same 46 mm) drawn the plain reportlab way: one path of filled rectangles, one rectangle
    per horizontal run of dark modules. (reportlab's QrCodeWidget, one drawing object per
    module, is about five times slower than the whole certificate page: not a bare baseline.)
    """
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    width, height = landscape(A4)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), pageCompression=1)
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 44 * mm, "托育从业人员培训合格证书")
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()  # quiet zone included
    size = 46 * mm
    unit = size / len(matrix)
    x0, y0 = width - 36 * mm - size, 30 * mm
    path = c.beginPath()
    for r, row in enumerate(matrix):
        y = y0 + (len(matrix) - 1 - r) * unit
        start = None
        for col, dark in enumerate([*row, False]):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                path.rect(x0 + start * unit, y, (col - start) * unit, unit)
                start = None
    c.drawPath(path, stroke=0, fill=1)
    c.showPage()
    c.save()
    return buf.getvalue()


def measure_pdf(results, rng):
    try:
        from certification import pdf
        from certification.models import Certificate, Source
        from certification.verification import verification_url
    except ImportError as exc:
        results.unavailable("pdf_ratio", "certificate PDFs/s ÷ bare reportlab", "≥ 0.85", str(exc))
        return
    ids = list(Certificate.objects.filter(source=Source.PLATFORM).values_list("pk", flat=True)[:5000])
    certs = list(Certificate.objects.filter(pk__in=rng.sample(ids, min(int(os.environ.get("BENCH_PDF_SAMPLE", "15")), len(ids))))
                 .select_related("type", "person", "issuing_provider"))
    font = pdf.font_name()
    pdf.render(certs[0])  # font loading and imports are not part of the rate
    bare_urls = [verification_url(c) for c in certs]
    bare_time = cert_time = 0.0
    for _ in range(3):  # interleaved rounds: a burst of load from neighbours hits both sides
        started = time.perf_counter()
        for url in bare_urls:
            bare_reportlab_page(font, url)
        bare_time += time.perf_counter() - started
        started = time.perf_counter()
        for cert in certs:
            pdf.render(cert)
        cert_time += time.perf_counter() - started
    n = 3 * len(certs)
    cert_rate, bare_rate = n / cert_time, n / bare_time
    ratio = round(cert_rate / bare_rate, 3)
    results.add("pdf_ratio", "certificate PDFs/s (one process) ÷ bare reportlab", round(cert_rate, 1), "PDF/s",
                baseline=round(bare_rate, 1), ratio=ratio, target="≥ 0.85", met=ratio >= 0.85, note=f"font {font}")


def measure_bulk(results):
    from django.db import transaction

    from certification import services
    from certification.models import Certificate, NumberCounter
    from certification.pdf import ensure_pdf
    from training.models import CourseRun

    from accounts.models import Role, User
    from bench.generate import BULK_RUN_TITLE

    run = CourseRun.objects.filter(title=BULK_RUN_TITLE).first()
    user = User.objects.filter(role=Role.COMMISSION, is_active=True).order_by("pk").first()
    if run is None or user is None:
        results.unavailable("bulk_issue", "bulk issuance of 1,000 certificates with PDFs", "< 30 s", "no bench run")
        return
    counters = {c.year: c.last_value for c in NumberCounter.objects.all()}
    started = time.perf_counter()
    # The rows are written in the transaction; the PDFs are queued as tasks when it commits
    # (certification.tasks). The bench runs the task backend of development (immediate), so
    # leaving the block renders them here, in this process, chunk by chunk.
    with transaction.atomic():
        issued = services.issue_for_run(run, user)
        rows_at = time.perf_counter() - started
    queued_at = time.perf_counter() - started
    # Whatever the tasks did not render (none, unless a task failed) is rendered here, within
    # a budget; beyond it the rest is extrapolated from the rate so far (and the output says so).
    budget = float(os.environ.get("BENCH_BULK_PDF_BUDGET", "90"))
    missing = [c for c in Certificate.objects.filter(pk__in=[c.pk for c in issued]) if not c.pdf]
    rendered = 0
    for cert in missing:
        ensure_pdf(cert)
        rendered += 1
        if time.perf_counter() - started - queued_at > budget:
            break
    extra = time.perf_counter() - started - queued_at
    extra_total = extra * len(missing) / rendered if rendered else 0.0
    pdf_total = queued_at - rows_at + extra_total
    elapsed = queued_at + extra_total
    # Put the data set back as it was, so that the next run measures the same thing.
    for cert in issued:
        if cert.pdf:
            cert.pdf.storage.delete(cert.pdf.name)
    Certificate.objects.filter(pk__in=[c.pk for c in issued]).delete()
    for year, value in counters.items():
        NumberCounter.objects.filter(year=year).update(last_value=value)
    results.add("bulk_issue", f"bulk issuance of {len(issued):,} certificates with PDFs", round(elapsed, 2), "s",
                target="< 30 s", met=elapsed < 30 and len(issued) >= 1000,
                note=f"rows {rows_at:.1f} s, PDFs {pdf_total:.1f} s ({len(issued) / pdf_total if pdf_total else 0:.1f} PDF/s) "
                     f"through the task queue (immediate backend, one process)"
                + (f"; {len(missing)} PDFs left by the tasks" if missing else "")
                + ("" if rendered == len(missing) else f"; extrapolated from {rendered} PDFs after {budget:.0f} s"))


# --- imports -----------------------------------------------------------------------------------


def measure_import(results):
    from django.db import transaction

    try:
        from benchmarks.imports_bench import _roster
        from core.imports.engine import run_import
        from core.imports.reader import read_table
    except ImportError as exc:
        results.unavailable("import_roster", "import of a 10,000-row staff roster", "< 5 s", str(exc))
        return
    import python_calamine

    data = _roster(10_000)
    bare_times = []
    for _ in range(3):
        started = time.perf_counter()
        python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        bare_times.append(time.perf_counter() - started)
    bare = min(bare_times)
    report = None
    # The import runs for real inside a transaction that is then rolled back: the data set
    # stays the same for the next run. (Committing 10,000 rows adds a few milliseconds.)
    with transaction.atomic():
        started = time.perf_counter()
        report = run_import("staff", data, "roster.xlsx")
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    errors = len(report.errors)
    results.add("import_roster", "import of a 10,000-row staff roster", round(elapsed, 2), "s",
                baseline=round(bare, 2), ratio=round(elapsed / bare, 1) if bare else None, target="< 5 s",
                met=elapsed < 5,
                note=f"{10_000 / elapsed:,.0f} rows/s; baseline = reading the file; created {report.created}, "
                     f"row errors {errors}" + (f" (first: row {report.errors[0].row} {report.errors[0].message})" if errors else ""))
    del read_table  # imported only to check the app is complete


# --- progress report -----------------------------------------------------------------------------


def measure_report(results):
    from django.core.management import call_command, get_commands

    if "progress_report" not in get_commands():
        results.unavailable("progress_report", "progress_report --json", "", "command missing")
        return
    times = []
    for _ in range(3):
        out = io.StringIO()
        started = time.perf_counter()
        call_command("progress_report", "--json", stdout=out)
        times.append(time.perf_counter() - started)
    json.loads(out.getvalue())
    results.add("progress_report", "progress_report --json (city, today), in process", round(statistics.median(times), 3), "s",
                note="median of 3; the figures only")
    # What the person typing the command waits for: a new process (Python and Django start-up
    # included), with the bench's environment.
    walls = []
    for _ in range(3):
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "manage.py", "progress_report", "--json"], cwd=REPO,
                              env=server_env(), capture_output=True, text=True, timeout=120)
        walls.append(time.perf_counter() - started)
        if done.returncode != 0:
            results.unavailable("progress_report_cli", "manage.py progress_report --json", "< 2 s",
                                f"exit {done.returncode}: {done.stderr.strip()[-200:]}")
            return
    json.loads(done.stdout)
    wall = statistics.median(walls)
    results.add("progress_report_cli", "manage.py progress_report --json (new process)", round(wall, 2), "s",
                target="< 2 s", met=wall < 2, note="median of 3, start-up included")


def main(argv):
    only = set(SECTIONS)
    for arg in argv:
        if arg.startswith("--only"):
            only = set(arg.split("=", 1)[1].split(",")) if "=" in arg else only
    started = time.perf_counter()
    setup_django()
    from django.conf import settings
    from django.db import connection

    from bench import generate

    section("data set")
    generate.generate()
    from registry.models import Person

    results = Results()
    rng = random.Random(9)
    steps = [
        ("http", "gunicorn: pages vs hello", lambda: measure_http(results, rng)),
        ("dashboard", "city dashboard", lambda: measure_dashboard(results)),
        ("pdf", "certificate PDFs", lambda: measure_pdf(results, rng)),
        ("bulk", "bulk issuance", lambda: measure_bulk(results)),
        ("import", "staff roster import", lambda: measure_import(results)),
        ("report", "progress_report", lambda: measure_report(results)),
    ]
    for key, title, step in steps:
        if key not in only:
            continue
        section(title)
        try:
            step()
        except Exception as exc:  # one broken feature must not hide the other figures
            traceback.print_exc()
            results.unavailable(key, title, "", f"{type(exc).__name__}: {exc}")
    total = time.perf_counter() - started
    meta = {
        "database": connection.vendor, "persons": Person.objects.count(), "scale": generate.scale(),
        "cpus": os.cpu_count(), "load_average": os.getloadavg(), "seconds": round(total, 1),
        "http_clients": HTTP_CLIENTS, "http_seconds": HTTP_SECONDS, "debug": settings.DEBUG,
    }
    results.print_table()
    print(f"database {meta['database']}, {meta['persons']:,} persons, {total:.0f} s in all, "
          f"load average {meta['load_average'][0]:.1f} on {meta['cpus']} CPUs; written to {RESULTS.relative_to(REPO)}")
    results.write(meta)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
