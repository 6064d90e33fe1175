"""Freezing the figures of a date (snapshots) — several rows and files written together."""

import json

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from . import metrics as m
from . import reports
from .models import ReportKind, Snapshot


class SnapshotExists(Exception):
    pass


def frozen_figures(as_of):
    """The JSON stored in a snapshot: progress_report --json of the city and of each county."""
    table = m.compute_table(as_of)
    scopes = [m.report_json(as_of, m.CITY, table["city"])]
    scopes += [m.report_json(as_of, m.Scope(county), values) for county, values in table["counties"]]
    return {"as_of": as_of.isoformat(), "scopes": scopes}


def freeze(as_of, kind=ReportKind.ANNUAL, user=None, note=""):
    """Freeze the city's figures of `as_of` and store its Excel and PDF reports, all or nothing.

    The files are generated before the transaction (they take a while on a large data set) and
    saved inside it; if the row cannot be written (already frozen), no file is left behind.
    """
    if Snapshot.objects.filter(as_of=as_of, kind=kind).exists():
        raise SnapshotExists(f"{ReportKind(kind).label}（截至 {as_of:%Y-%m-%d}）已经冻结过，不能重复冻结。")
    data = reports.report_data(as_of, m.CITY, kind)
    figures = frozen_figures(as_of)
    excel = reports.excel_bytes(data)
    pdf = reports.pdf_bytes(data)
    snapshot = Snapshot(as_of=as_of, kind=kind, figures=json.loads(json.dumps(figures)), created_by=user, note=note)
    saved = []
    try:
        with transaction.atomic():
            snapshot.save()
            snapshot.excel.save(reports.filename(data, "xlsx"), ContentFile(excel), save=False)
            saved.append(snapshot.excel)
            snapshot.pdf.save(reports.filename(data, "pdf"), ContentFile(pdf), save=False)
            saved.append(snapshot.pdf)
            snapshot.save(update_fields=["excel", "pdf"])
    except IntegrityError:
        for field in saved:
            field.storage.delete(field.name)
        raise SnapshotExists(f"{ReportKind(kind).label}（截至 {as_of:%Y-%m-%d}）已经冻结过，不能重复冻结。") from None
    except Exception:
        for field in saved:
            field.storage.delete(field.name)
        raise
    return snapshot


def differences(snapshot, scope_name, values):
    """{key: frozen metric dict} for the metrics whose live figures differ from the snapshot."""
    if snapshot is None:
        return {}
    frozen = snapshot.scope_figures(scope_name)
    changed = {}
    for v in values:
        old = frozen.get(v.key)
        if old is None:
            continue
        live = v.as_json()
        if any(old.get(field) != live.get(field) for field in ("actual", "numerator", "denominator", "target")):
            changed[v.key] = old
    return changed
