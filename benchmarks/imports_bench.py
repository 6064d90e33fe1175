"""Rows per second of a staff roster import (read, validate, write) for 1k, 10k and 50k rows.

    python -m benchmarks.imports_bench            # 1000 10000 50000
    python -m benchmarks.imports_bench 10000      # chosen sizes

Runs against a throw-away SQLite database in a temporary directory (never the project's
database), so it can be run anywhere. The issue's target: 10,000 rows in under 5 s on a
2-core machine, and cost growing linearly with rows.
"""

import datetime
import io
import os
import sys
import tempfile
import time


def _setup(tmp):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = f"{tmp}/media"
    os.environ.setdefault("DJANGO_ENV", "test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# An area code that neither the demo data (real county codes) nor the bench generator
# (bench/generate.py AREAS) uses: every roster row is a new person, none collides.
ROSTER_AREA = "530399"


def _roster(size):
    import openpyxl

    from core.validators import make_id_number

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["姓名", "身份证号", "手机号", "机构名称", "统一社会信用代码", "区县", "岗位", "入职日期", "离职日期"])
    base = datetime.date(1980, 1, 1)
    roles = ["保育人员", "保育人员", "保健人员", "机构负责人"]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    given = "芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅琳晶鑫宇浩然欣怡子涵佳琪思雨梓轩晨曦"
    for n in range(size):
        number = make_id_number(ROSTER_AREA, base + datetime.timedelta(days=n // 900), n % 900 + 1)
        ws.append([
            surnames[n % 20] + given[(n // 20) % len(given)] + given[(n // 1000) % len(given)], number, f"139{n:08d}", f"托育园{n % 50}", None, "麒麟区", roles[n % 4],
            datetime.date(2024, 1, 1) + datetime.timedelta(days=n % 300), None,
        ])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _reset():
    from registry.models import Employment, Institution, InstitutionType, Person

    Employment.objects.all().delete()
    Person.objects.all().delete()
    if not Institution.objects.exists():
        from registry.models import County

        county = County.objects.get(name="麒麟区")
        Institution.objects.bulk_create(
            Institution(name=f"托育园{i}", county=county, type=InstitutionType.PRIVATE) for i in range(50)
        )


def main(sizes):
    from django.conf import settings

    from core.imports.engine import run_import

    settings.IMPORT_MAX_BYTES = 50 * 1024 * 1024  # the 50k file is larger than the upload limit
    # CPU seconds are shown too: on a shared machine the wall clock also measures the neighbours.
    print(f"{'rows':>8} {'file':>9} {'seconds':>8} {'cpu s':>7} {'rows/s':>9}  result")
    for size in sizes:
        _reset()
        data = _roster(size)
        started, cpu_started = time.perf_counter(), time.process_time()
        report = run_import("staff", data, "roster.xlsx")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        outcome = f"created {report.created}, errors {len(report.errors)}"
        print(f"{size:>8} {len(data) / 1024:>7.0f}KB {elapsed:>8.2f} {cpu:>7.2f} {size / elapsed:>9.0f}  {outcome}")


if __name__ == "__main__":
    wanted = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 50_000]
    with tempfile.TemporaryDirectory() as tmp:
        _setup(tmp)
        main(wanted)
