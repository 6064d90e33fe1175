"""Two imports of the same roster at the same moment never create anything twice."""

import threading

import pytest
from django.db import connection

from core.imports import kinds
from core.imports.engine import Context, analyse, write
from core.imports.reader import read_table
from registry.models import Employment, Person

from tests import factories as f
from tests.factories_imports import STAFF_HEADERS, id_number, staff_row, xlsx_bytes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_the_same_roster():
    f.InstitutionFactory(name="阳光托育园", county=f.county("麒麟区"))
    data = xlsx_bytes(STAFF_HEADERS, [staff_row(f"张{'一二三四五六七八九十'[n % 10]}明", id_number(n)) for n in range(40)])
    barrier = threading.Barrier(2, timeout=30)
    reports = []

    def worker():
        from django.db import connection as thread_connection

        try:
            importer = kinds.get_importer("staff")
            ctx = Context()
            report = analyse(importer, read_table(data, "a.xlsx"), ctx)
            barrier.wait()  # both have checked the file against an empty registry
            reports.append(write(importer, report, ctx))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(r.written for r in reports) == [False, True]
    loser = next(r for r in reports if not r.written)
    assert "已被其他操作修改" in loser.errors[-1].message
    assert (Person.objects.count(), Employment.objects.count()) == (40, 40)
