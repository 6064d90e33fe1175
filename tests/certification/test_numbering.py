"""Certificate numbers: readable, sortable, per-year sequences, no duplicates or silent gaps."""

import datetime
import threading

import pytest
from django.db import connection, transaction

from certification.models import Certificate, NumberCounter
from certification.numbering import allocate_number, allocate_numbers, format_number, normalise_number
from certification.services import issue_certificate

from tests import factories as f


def test_format_and_normalise():
    assert format_number(2025, 123) == "QJTY-2025-000123"
    assert normalise_number(" qjty-2025-000123 ") == "QJTY-2025-000123"
    for bad in ["", "QJTY-25-1", "'; drop table", "x" * 200, "QJTY-2025-12"]:
        assert normalise_number(bad) is None


@pytest.mark.django_db
def test_sequence_per_year_and_rollback_returns_numbers(personas):
    with transaction.atomic():
        assert allocate_numbers(2025, 3) == ["QJTY-2025-000001", "QJTY-2025-000002", "QJTY-2025-000003"]
        assert allocate_number(2026) == "QJTY-2026-000001"
    # A failed issuance gives its number back: no silent gap.
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate_number(2025)
        raise RuntimeError("issuance failed")
    with transaction.atomic():
        assert allocate_number(2025) == "QJTY-2025-000004"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuers_never_collide_or_skip(personas):
    provider = personas["provider_a"].provider
    persons = [f.PersonFactory() for _ in range(24)]
    day = datetime.date(2025, 6, 1)
    barrier = threading.Barrier(8)
    errors = []

    def worker(chunk):
        try:
            barrier.wait(timeout=10)
            for person in chunk:
                issue_certificate(
                    person, by_user=personas["provider_a"], provider=provider, course_name="保育人员培训",
                    hours=40, issue_date=day,
                )
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(persons[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == [format_number(2025, n) for n in range(1, 25)]
    assert NumberCounter.objects.get(year=2025).last_value == 24
