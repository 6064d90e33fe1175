"""Certificate numbers: QJTY-YYYY-NNNNNN, a gapless sequence per year.

The counter row of the year is locked with SELECT ... FOR UPDATE inside the caller's
transaction, so two issuers at the same moment queue on the lock instead of reading the same
value; and because the increment commits or rolls back together with the certificates that use
the numbers, a failed issuance returns its numbers instead of leaving a silent gap.
"""

import re

from django.db import IntegrityError, transaction

from .models import NUMBER_PREFIX, NumberCounter

NUMBER_RE = re.compile(rf"^{NUMBER_PREFIX}-(\d{{4}})-(\d{{6,}})$")


def format_number(year, value):
    return f"{NUMBER_PREFIX}-{year:04d}-{value:06d}"


def normalise_number(text):
    """Upper-case and trim what a person typed; None if it cannot be one of our numbers."""
    text = (text or "").strip().upper().replace("－", "-").replace("—", "-")
    if len(text) > 30 or not NUMBER_RE.match(text):
        return None
    return text


def _locked_counter(year):
    try:
        # The first issuer of a year creates the row; a concurrent creator loses the race on
        # the unique year and simply locks the row the winner made.
        with transaction.atomic():
            NumberCounter.objects.get_or_create(year=year)
    except IntegrityError:
        pass
    return NumberCounter.objects.select_for_update().get(year=year)


def allocate_numbers(year, count):
    """Reserve `count` consecutive numbers of `year`. Must run inside the issuing transaction."""
    if count <= 0:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate_numbers must run inside the transaction that saves the certificates")
    counter = _locked_counter(year)
    first = counter.last_value + 1
    counter.last_value += count
    counter.save(update_fields=["last_value"])
    return [format_number(year, v) for v in range(first, first + count)]


def allocate_number(year):
    return allocate_numbers(year, 1)[0]
