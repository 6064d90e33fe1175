"""Personal data on pages, in URLs and in logs.

- Every page (and export) each persona may open, from the access matrix's table, rendered with
  the data of two people: no full 身份证号 of another person, and no phone number of another person
  except where the table's PHONE_ALLOWED says why staff need it.
- No 身份证号 in any link, form action or image address of those pages, nor in the redirect
  addresses of the import web flow.
- No 身份证号 in the logs of an import through the web flow, of a claim, or of failed logins
  (someone typing a 身份证号 into the login box).
"""

import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.factories_imports import STAFF_HEADERS, staff_row, xlsx_bytes
from tests.accounts.test_access_matrix import (  # noqa: F401 - fixtures
    A_NAME,
    B_NAME,
    PERSONAS,
    TABLE,
    _observe,
    private_storage,
    texts_of,
    world,
)
from tests import factories as f

# Pages that show a full number on purpose.
ID_ALLOWED = {
    # The audited "show full 身份证号" action of the registry (each use leaves a log entry).
    "registry:reveal_id",
}
# Pages where back-office staff legitimately see a trainee's phone number (to reach them).
PHONE_ALLOWED = {
    "training:roster_export",  # provider's class roster (Excel) for contacting trainees
    "cms:class_signups",  # organiser's sign-up list of a parents' class
    "registry_person:edit",  # the edit form of the record itself (county official / commission)
}

URL_ATTR = re.compile(r"""(?:href|src|action)\s*=\s*["']([^"']*)["']""")


def _people(world):
    a, b = world["person_a"], world["person_b"]
    return {"a": (a.id_number, a.phone), "b": (b.id_number, b.phone)}


def _others(persona, people):
    """The numbers `persona` must never see in full: the other side's person for trainees; both
    for staff (nobody's own record is theirs)."""
    if persona == "trainee_a":
        return [people["b"]]
    if persona == "trainee_b":
        return [people["a"]]
    return [people["a"], people["b"]]


def test_no_full_numbers_of_others_on_reachable_pages(world, personas):
    people = _people(world)
    seen = _observe(personas, world, names={n for n, (m, _) in TABLE.items() if m == "GET"})
    found = []
    for name, (method, url, row) in seen.items():
        for persona in PERSONAS:
            code, response, body = row[persona]
            if code != "2":
                continue
            text = texts_of(response, body)
            for number, phone in _others(persona, people) if persona != "anonymous" else people.values():
                if number in text and name not in ID_ALLOWED:
                    found.append(f"{name} {url} as {persona}: full 身份证号 {number}")
                if phone in text and name not in PHONE_ALLOWED:
                    found.append(f"{name} {url} as {persona}: phone {phone}")
            for link in URL_ATTR.findall(text):
                for number, _ in people.values():
                    if number in link or number[:6] + number[6:14] in link:
                        found.append(f"{name} {url} as {persona}: 身份证号 in the address {link}")
    assert not found, "\n".join(found)


def test_no_id_numbers_in_urls_or_logs_of_an_import(personas, caplog, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    institution = f.InstitutionFactory(name="阳光托育园", county=personas["county_x"].county)
    numbers = [f.next_id_number() for _ in range(3)]
    rows = [staff_row("导入" + "甲乙丙"[i], n, institution=institution.name) for i, n in enumerate(numbers)]
    headers = STAFF_HEADERS
    bad = list(rows[0])
    bad[1] = numbers[0][:-1] + ("0" if numbers[0][-1] != "0" else "1")  # a wrong check digit: an error row
    client = Client()
    f.log_in(client, personas["county_x"])
    locations = []
    with caplog.at_level(logging.DEBUG):
        for data in (xlsx_bytes(headers, rows + [bad]), xlsx_bytes(headers, rows)):
            response = client.post("/imports/upload/", {"kind": "staff", "file": SimpleUploadedFile("花名册.xlsx", data)})
            assert response.status_code == 302, response.content[:500]
            locations.append(response["Location"])
            page = client.get(response["Location"])
            assert page.status_code == 200
        job_url = locations[-1]
        response = client.post(job_url + "confirm/", {"mode": "all"})
        locations.append(response.get("Location", ""))
        from imports.models import ImportJob

        job = ImportJob.objects.order_by("-pk").first()
        confirm_info = (response.status_code, job.status, job.message, job.errors[:3])
        # A trainee claiming a record, and failed logins with a 身份证号 typed in the login box.
        Client().post("/accounts/login/", {"login": numbers[0], "password": "wrong-password"})
        Client().post("/accounts/login/", {"login": "nobody@example.cn", "password": numbers[1]})
    from registry.models import Person

    assert Person.objects.by_id_number(numbers[2]).exists(), confirm_info  # the import did happen
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for number in numbers + [bad[1]]:
        assert number not in logged, f"身份证号 {number} in the logs"
        assert number[6:14] + number[14:] not in logged
        for location in locations:
            assert number not in location
