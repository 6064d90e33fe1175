"""Dashboard and progress_report speed on a province-size data set (issue 6, "Speed").

    python -m benchmarks.monitoring_bench                       # 100k persons, 300k records, 150k certificates, 5k institutions
    python -m benchmarks.monitoring_bench --scale 0.1           # a tenth of that
    python -m benchmarks.monitoring_bench --db /tmp/mon.sqlite3 --reuse   # keep/reuse the generated file

Generates the data with bulk_create into a separate SQLite file (never the project's
database), then prints the city dashboard's response time cold (the first request after a
data change: every figure computed, nothing cached) and warm (figures cached under the data
version, monitoring/figures_cache.py), with CPU time and SQL query counts at two data sizes
(they must not grow), the indexes behind the figures with the query each serves and whether
SQLite's plans use them, the time of `progress_report --json` (in process and as a fresh
process), and, for information, the uncached trend charts (one query each) and a drill-down
list. Targets: dashboard < 300 ms, progress_report --json < 2 s, on SQLite on a 2-core machine.

Generated persons carry a placeholder instead of an encrypted 身份证号 (the metrics never read
it; encrypting 100k numbers would only slow the set-up down).
"""

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

AS_OF = datetime.date(2025, 12, 31)


def _setup(db_path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_ENV", "test")
    os.environ["MONITORING_CHART_CACHE_SECONDS"] = "0"
    os.environ["DEBUG"] = "false"  # as in production: no query logging, no debug templates
    # The production default: the county table is cached under a key that follows the data.
    os.environ.setdefault("MONITORING_FIGURES_CACHE_SECONDS", "300")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _day(rng, start, end):
    return start + datetime.timedelta(days=rng.randrange((end - start).days + 1))


def generate(persons, records, certificates, institutions, seed=2026, log=print):
    from django.db import transaction

    from certification.models import Certificate, CertificateType, ReviewStatus, Source
    from registry.models import (
        County, Employment, Institution, InstitutionType, Person, RegistrationStatus, StaffRole,
        TrainingCategory, TrainingProvider,
    )
    from training.models import RecordSource, TrainingRecord, TrainingResult

    rng = random.Random(seed)
    counties = list(County.objects.all())
    batch = 5000
    t0 = time.perf_counter()
    with transaction.atomic():
        providers = TrainingProvider.objects.bulk_create(
            TrainingProvider(name=f"基准培训机构{seed}-{i}", county=counties[i % len(counties)]) for i in range(50)
        )
        insts = []
        for i in range(institutions):
            registered = rng.random() < 0.9
            insts.append(Institution(
                name=f"基准托育机构{seed}-{i}", county=counties[i % len(counties)], type=InstitutionType.PRIVATE,
                registration_status=RegistrationStatus.REGISTERED if registered else RegistrationStatus.UNREGISTERED,
                registration_date=_day(rng, datetime.date(2019, 1, 1), datetime.date(2025, 12, 31)) if registered else None,
            ))
        insts = Institution.objects.bulk_create(insts, batch_size=batch)
        log(f"  {len(insts):,} institutions, {len(providers)} providers")
        people = []
        for i in range(persons):
            people.append(Person(
                name=f"人员{i}", id_number_encrypted="bench", id_number_hash=f"bench-{seed}-{i:08d}",
                id_number_masked=f"5303**********{i % 10000:04d}", gender="F", birth_date=datetime.date(1990, 1, 1),
            ))
        Person.objects.bulk_create(people, batch_size=batch)
        person_ids = list(Person.objects.filter(id_number_hash__startswith=f"bench-{seed}-").values_list("pk", flat=True))
        log(f"  {len(person_ids):,} persons")
        roles = [StaffRole.CAREGIVER] * 5 + [StaffRole.HEALTH] * 2 + [StaffRole.DIRECTOR] + [StaffRole.OTHER] * 2
        employments = []
        for pid in person_ids:
            if rng.random() < 0.85:
                start = _day(rng, datetime.date(2018, 1, 1), datetime.date(2026, 6, 30))
                end = _day(rng, start, datetime.date(2026, 10, 31)) if rng.random() < 0.25 else None
                employments.append(Employment(person_id=pid, institution=rng.choice(insts), role=rng.choice(roles),
                                              start_date=start, end_date=end))
        Employment.objects.bulk_create(employments, batch_size=batch)
        log(f"  {len(employments):,} employments")
        categories = list(TrainingCategory.values)
        recs = []
        for i in range(records):
            completion = _day(rng, datetime.date(2023, 6, 1), datetime.date(2026, 10, 31))
            recs.append(TrainingRecord(
                person_id=rng.choice(person_ids), category=rng.choice(categories), role=rng.choice(roles),
                provider=rng.choice(providers), county=rng.choice(counties), course_name=f"基准课程{seed}-{i}",
                completion_date=completion, hours=40,
                result=TrainingResult.PASSED if rng.random() < 0.9 else TrainingResult.FAILED,
                source=RecordSource.IMPORTED,
            ))
            if len(recs) == batch:
                TrainingRecord.objects.bulk_create(recs)
                recs = []
        TrainingRecord.objects.bulk_create(recs)
        log(f"  {records:,} training records")
        types = list(CertificateType.objects.all())
        certs = []
        for i in range(certificates):
            issued = _day(rng, datetime.date(2018, 1, 1), datetime.date(2026, 10, 31))
            revoked = _day(rng, issued, datetime.date(2026, 11, 1)) if rng.random() < 0.03 else None
            certs.append(Certificate(
                person_id=rng.choice(person_ids), type=rng.choice(types), number=f"BENCH{seed}-{i:08d}",
                source=Source.EXTERNAL, issuer="基准发证机构", issue_date=issued,
                expiry_date=issued + datetime.timedelta(days=365 * 5) if rng.random() < 0.5 else None,
                revoked_on=revoked, revoke_reason="基准" if revoked else "",
                review_status=ReviewStatus.APPROVED if rng.random() < 0.95 else ReviewStatus.PENDING,
                verification_token=f"bench-{seed}-{i}",
            ))
            if len(certs) == batch:
                Certificate.objects.bulk_create(certs)
                certs = []
        Certificate.objects.bulk_create(certs)
        log(f"  {certificates:,} certificates")
        _survey(rng, counties, max(1000, persons // 5), log)
    log(f"  generated in {time.perf_counter() - t0:.1f} s")


def _survey(rng, counties, n, log):
    from django.apps import apps
    from django.utils import timezone

    try:
        model = apps.get_model("cms", "SurveyResponse")
        band = apps.get_model("cms", "AgeBand").objects.first()
    except LookupError:
        return
    if band is None:
        return
    tz = timezone.get_current_timezone()
    rows = []
    for _ in range(n):
        at = datetime.datetime.combine(_day(rng, datetime.date(2024, 1, 1), datetime.date(2026, 10, 31)),
                                       datetime.time(rng.randrange(24), rng.randrange(60)), tzinfo=tz)
        score = rng.randrange(40, 101)
        rows.append(model(county=rng.choice(counties), age_band=band, score=score, correct_count=score // 10,
                          question_count=10, passed=score >= 80, submitted_at=at, submitted_on=at.date()))
    model.objects.bulk_create(rows, batch_size=5000)
    log(f"  {n:,} survey responses")


def _count_queries(fn):
    """(result, [sql]) of fn(), seeing every query whatever DEBUG and the query log do."""
    from django.db import connection

    executed = []

    def counter(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        result = fn()
    return result, executed


def _time_requests(client, url, n, before=None):
    """Median and p95 wall-clock seconds, and median CPU seconds (the machine may be shared)."""
    times, cpu = [], []
    for _ in range(n):
        if before:
            before()
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))], statistics.median(cpu)


def _forget_figures():
    """What a data change does: the cached figures no longer apply (the next request computes)."""
    from monitoring import figures_cache

    figures_cache._bump()


def measure(db_path, runs, label):
    from django.test import Client

    from accounts.models import Role, User
    from training.models import TrainingRecord

    user, _ = User.objects.get_or_create(username="bench_commission", defaults={"role": Role.COMMISSION})
    client = Client()
    client.force_login(user)
    url = f"/dashboard/?as_of={AS_OF}"
    from django.core.cache import cache

    cache.clear()
    client.get(url)  # the first request of the process: templates, permissions (not timed)
    _forget_figures()
    _, cold_sql = _count_queries(lambda: client.get(url))
    _, warm_sql = _count_queries(lambda: client.get(url))
    cold, cold_p95, cold_cpu = _time_requests(client, url, max(3, runs // 4), before=_forget_figures)
    median, p95, cpu = _time_requests(client, url, runs)
    print(f"[{label}] {TrainingRecord.objects.count():,} training records")
    print(f"  city dashboard, cold:   median {cold * 1000:7.1f} ms   p95 {cold_p95 * 1000:7.1f} ms   "
          f"cpu {cold_cpu * 1000:6.1f} ms   ({len(cold_sql)} SQL queries; the first request after any "
          "data change: every figure computed, nothing cached)")
    print(f"  city dashboard, warm:   median {median * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
          f"cpu {cpu * 1000:6.1f} ms   ({len(warm_sql)} SQL queries per request)")
    county_url = f"/dashboard/?as_of={AS_OF}&county=1"
    median_c, p95_c, cpu_c = _time_requests(client, county_url, max(3, runs // 4), before=_forget_figures)
    print(f"  county dashboard, cold: median {median_c * 1000:7.1f} ms   p95 {p95_c * 1000:7.1f} ms   cpu {cpu_c * 1000:6.1f} ms")
    return (len(cold_sql), len(warm_sql)), client, cold_sql


def report_indexes(statements):
    """Each index of monitoring.metrics.INDEXES, the query it serves, and whether SQLite's plans use it."""
    from django.db import connection

    from monitoring import metrics as m

    plans = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plans.append(" ".join(str(row[-1]) for row in cursor.fetchall()))
    print("  indexes behind the figures (used = in the plan of one of the statements above):")
    for table, name, serves in m.INDEXES:
        used = any(f"INDEX {name} " in plan or plan.endswith(f"INDEX {name}") for plan in plans)
        print(f"    {name:<28} {table:<26} {'used' if used else '-   '}  {serves}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the default sizes")
    parser.add_argument("--persons", type=int)
    parser.add_argument("--records", type=int)
    parser.add_argument("--certificates", type=int)
    parser.add_argument("--institutions", type=int)
    parser.add_argument("--runs", type=int, default=20, help="dashboard requests to time")
    parser.add_argument("--db", help="SQLite file to generate into (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="reuse --db if it already holds data")
    args = parser.parse_args()
    sizes = {
        "persons": args.persons or int(100_000 * args.scale),
        "records": args.records or int(300_000 * args.scale),
        "certificates": args.certificates or int(150_000 * args.scale),
        "institutions": args.institutions or int(5_000 * args.scale),
    }
    tmp = None
    if args.db:
        db_path = args.db
    else:
        tmp = tempfile.TemporaryDirectory()
        db_path = os.path.join(tmp.name, "monitoring_bench.sqlite3")
    _setup(db_path)
    from django.core.management import call_command
    from django.db import connection

    from registry.models import Person

    print(f"database: {db_path}")
    # A small data set first, to show that the number of queries does not grow with the data.
    if not (args.reuse and Person.objects.exists()):
        print("generating a small data set (1%)")
        generate(**{k: max(10, v // 100) for k, v in sizes.items()}, seed=1, log=lambda m: None)
        small_queries, _, _ = measure(db_path, 5, "small")
        print(f"generating the large data set: {sizes}")
        generate(**sizes)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what a maintenance job (or PRAGMA optimize) does on SQLite
    else:
        small_queries = None
    large_queries, client, cold_sql = measure(db_path, args.runs, "large")
    if small_queries is not None:
        print(f"  queries per dashboard request (cold, warm): {small_queries} (small data set) vs "
              f"{large_queries} (large) -> {'constant' if small_queries == large_queries else 'GROWS'}")
    report_indexes(cold_sql)

    from io import StringIO

    started, cpu_started = time.perf_counter(), time.process_time()
    out = StringIO()
    call_command("progress_report", "--as-of", AS_OF.isoformat(), "--json", stdout=out)
    in_process, in_process_cpu = time.perf_counter() - started, time.process_time() - cpu_started
    env = dict(os.environ)
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "progress_report", "--as-of", AS_OF.isoformat(), "--json"],
                   env=env, check=True, capture_output=True, cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    fresh = time.perf_counter() - started
    print(f"  progress_report --json: {in_process * 1000:7.1f} ms in process (cpu {in_process_cpu * 1000:.1f} ms), "
          f"{fresh:.2f} s as a fresh process "
          "(including Django start-up)")
    started = time.perf_counter()
    call_command("progress_report", "--as-of", AS_OF.isoformat(), "--county", "麒麟区", "--json", stdout=StringIO())
    print(f"  progress_report --county 麒麟区 --json: {(time.perf_counter() - started) * 1000:7.1f} ms in process")

    # For information: what the lazily loaded chart images and a drill-down page cost. Each
    # chart is one query whatever the number of months (MONITORING_CHART_CACHE_SECONDS=0 here).
    from monitoring import metrics as m

    for key in m.METRIC_ORDER:
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(f"/dashboard/chart/{key}.svg?as_of={AS_OF}")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        _, trend_sql = _count_queries(lambda key=key: m.trend(key, AS_OF))
        print(f"  chart {key:<32} {elapsed * 1000:8.1f} ms (cpu {cpu * 1000:6.1f} ms; the series of "
              f"{len(m.month_points(AS_OF))} months is {len(trend_sql)} query; uncached)")
    started = time.perf_counter()
    client.get(f"/dashboard/records/certified_rate/?as_of={AS_OF}&part=staff")
    print(f"  drill-down list (staff, page 1): {(time.perf_counter() - started) * 1000:7.1f} ms")
    print(out.getvalue()[:400] + "…")
    if tmp:
        tmp.cleanup()


if __name__ == "__main__":
    main()
