"""The access matrix: every URL pattern of the site, for every persona, against an explicit table.

`test_every_url_is_in_the_table` walks django.urls.get_resolver() (our apps' views, their Wagtail
admin viewsets and snippets, exports, downloads, APIs) and fails naming any URL that is neither
in TABLE nor under a third-party prefix of THIRD_PARTY. `test_access_matrix` requests each URL
as each persona and compares the status with the table.

Objects: side A (trainee_a's person, provider A's run, county X's institution and import, ...)
and side B (the same for trainee_b / provider B / county Y). Object URLs always point at side A's
object, so the table says what B-side users get for another provider's or county's object by id
(404 for outsiders, 403 for read-only users). Lists, searches and exports are checked in
`the same test: no page, search or export a B-side persona may open names side A's person.

Each request runs inside a savepoint that is rolled back, so POSTs of one persona do not change
what the next one sees.

Codes in the table (one per persona, in PERSONAS order):
  L  redirect to the login page      2  200          3  302 elsewhere (e.g. after a POST)
  F  403                             N  404          M  405 (method not allowed)
  B  400                             D  403 or 404 (denied; either is acceptable)
  R  refused: 403, 404, or (Wagtail admin) a redirect that is not to the login page
  -  not checked for this persona (says why in the row's note)
"""

import io
import re
import zipfile

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from registry.models import StaffRole

from tests import factories as f
from tests import factories_cms as fc
from tests import factories_training as ft
from tests.factories_certification import CertificateFactory, ExternalCertificateFactory, private_storage  # noqa: F401

PERSONAS = ["anonymous", "trainee_a", "trainee_b", "provider_a", "provider_b", "county_x", "county_y", "commission", "editor"]

# URL prefixes whose views belong to third-party apps: allauth, Wagtail's own admin (pages,
# images, documents, users, sites, ...), Django's admin, document serving. Our apps' Wagtail
# viewsets and snippets are NOT here: they are in TABLE.
THIRD_PARTY_NAMES = re.compile(
    r"^(account_|mfa_|wagtailadmin|wagtailimages|wagtaildocs|wagtailusers|wagtailsites|wagtailredirects|"
    r"wagtailforms|wagtailembeds|wagtailsettings|wagtail_bulk_action|wagtailsearch|wagtailcore_|wagtail_serve|"
    r"wagtailsnippets:|wagtailsnippets$|admin:|socialaccount|usersessions|headless)"
)
THIRD_PARTY_ROUTES = re.compile(r"^(django-admin/|accounts/|documents/|_util/|\^media/|admin/login/$|admin/test404/$|admin/\^\.\*/\$$)")


def all_patterns():
    """(route, full name, pattern) for every URL pattern, recursively."""
    out = []

    def walk(resolver, prefix, ns):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                n = ns
                if p.namespace:
                    n = f"{ns}:{p.namespace}" if ns else p.namespace
                walk(p, prefix + str(p.pattern), n)
            elif isinstance(p, URLPattern):
                name = f"{ns}:{p.name}" if ns and p.name else (p.name or "")
                out.append((prefix + str(p.pattern), name, p))

    walk(get_resolver(), "", "")
    return out


def is_third_party(route, name):
    return bool(THIRD_PARTY_ROUTES.match(route) or (name and THIRD_PARTY_NAMES.match(name)))


# --- the two sides -------------------------------------------------------------------------------

A_NAME, B_NAME = "安雅琴", "白若冰"


@pytest.fixture
def world(personas, county_x_obj, county_y_obj, provider_a_obj, provider_b_obj, settings, tmp_path, private_storage):  # noqa: F811
    from django.core.files.base import ContentFile
    from django.test import Client

    from certification.models import CertificateType, VerificationLog
    from imports.models import ImportJob
    from monitoring.models import Snapshot, Target

    from tests.factories_certification import PNG_BYTES
    from tests.factories_imports import STAFF_HEADERS, staff_row, xlsx_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    w = {}
    for side, name, trainee, county, provider, phone in (
        ("a", A_NAME, "trainee_a", county_x_obj, provider_a_obj, "13900000001"),
        ("b", B_NAME, "trainee_b", county_y_obj, provider_b_obj, "13900000002"),
    ):
        inst = f.InstitutionFactory(name=f"{name}所在托育园", county=county)
        person = f.PersonFactory(name=name, phone=phone, user=personas[trainee])
        emp = f.EmploymentFactory(person=person, institution=inst, role=StaffRole.CAREGIVER)
        run = ft.RunFactory(provider=provider, county=county)
        session = ft.SessionFactory(run=run)
        enrollment = ft.EnrollmentFactory(run=run, person=person)
        cert = CertificateFactory(person=person, enrollment=enrollment, issuing_provider=provider, issuer=provider.name)
        ext = ExternalCertificateFactory(person=person)
        ext.scan.save("scan.png", ContentFile(PNG_BYTES), save=True)
        signup_page = fc.parent_class(f"{county.name}辅食家长课", county_name=county.name)
        fc.SignupFactory(event=signup_page, name=f"{name}家长", phone="1371111000" + ("1" if side == "a" else "2"))
        response = fc.SurveyResponseFactory(county=county)
        w.update({
            f"inst_{side}": inst, f"person_{side}": person, f"emp_{side}": emp, f"run_{side}": run,
            f"session_{side}": session, f"enrollment_{side}": enrollment, f"cert_{side}": cert, f"ext_{side}": ext,
            f"class_{side}": signup_page, f"survey_{side}": response,
        })
    # Imports through the web flow (the job keeps its uploader's scope).
    for side, persona, county in (("a", "county_x", "麒麟区"), ("b", "county_y", "宣威市")):
        client = Client()
        f.log_in(client, personas[persona])
        data = xlsx_bytes(STAFF_HEADERS, [staff_row("导入人员", f.next_id_number(), institution=w[f"inst_{side}"].name, county=county)])
        from django.core.files.uploadedfile import SimpleUploadedFile
        client.post("/imports/upload/", {"kind": "staff", "file": SimpleUploadedFile("花名册.xlsx", data)})
        w[f"job_{side}"] = ImportJob.objects.order_by("-pk").first()
    commission = Client()
    f.log_in(commission, personas["commission"])
    commission.post("/dashboard/snapshots/", {"as_of": "2025-06-30", "kind": "annual"})
    w["snapshot"] = Snapshot.objects.order_by("-pk").first()
    w["target"] = Target.objects.order_by("pk").first()
    w["ctype"] = CertificateType.objects.order_by("pk").first()
    w["vlog"] = VerificationLog.objects.create(number_queried=w["cert_a"].number, outcome="valid", certificate=w["cert_a"])
    w["expert"] = fc.ExpertFactory()
    w["topic"] = fc.topic("feeding")
    w["ageband"] = fc.band("1-2y")
    from auditlog.models import LogEntry

    w["audit_entry"] = LogEntry.objects.order_by("pk").first()
    w["user_a"] = personas["trainee_a"]
    w["provider_a"] = provider_a_obj
    return w


# Side-A object for each URL namespace (what `pk` means there).
NAMESPACE_OBJECT = {
    "accounts_user": "user_a",
    "registry_institution": "inst_a",
    "registry_trainingprovider": "provider_a",
    "registry_person": "person_a",
    "registry_employment": "emp_a",
    "training_courserun": "run_a",
    "training_session": "session_a",
    "certification_type": "ctype",
    "certification_verificationlog": "vlog",
    "monitoring_target": "target",
    "survey_responses": "survey_a",
    "wagtailsnippets_cms_expert": "expert",
    "wagtailsnippetchoosers_cms_expert": "expert",
    "wagtailsnippets_cms_topic": "topic",
    "wagtailsnippetchoosers_cms_topic": "topic",
    "wagtailsnippets_cms_ageband": "ageband",
    "wagtailsnippetchoosers_cms_ageband": "ageband",
    "registry": "person_a",
    "imports": "job_a",
    "monitoring": "snapshot",
    "audit_logentry": "audit_entry",
}
# Per view name, when `pk` is not the namespace's object.
NAME_PK = {
    "training:my_enrollment": "enrollment_a",
    "training:withdraw": "enrollment_a",
    "certification:scan": "ext_a",
    "certification:review": "ext_a",
}
PARAM_OBJECT = {
    "run_pk": "run_a", "run_id": "run_a", "session_pk": "session_a", "enrollment_pk": "enrollment_a",
    "enrollment_id": "enrollment_a", "page_id": "class_a",
}
PARAM_VALUE = {"key": "director_training_person_times", "fmt": "xlsx", "kind": "staff", "code": "not-a-code"}


def url_for(name, route, w):
    from django.urls import reverse

    params = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
    kwargs = {}
    ns = name.split(":")[0]
    for a, b in params:
        param = a or b
        if param in PARAM_VALUE:
            kwargs[param] = PARAM_VALUE[param]
        elif param in PARAM_OBJECT:
            kwargs[param] = w[PARAM_OBJECT[param]].pk
        elif param == "pk":
            if name.startswith("training:"):
                kwargs[param] = w["run_a"].pk
            elif name.startswith("certification:"):
                kwargs[param] = w[NAME_PK.get(name, "cert_a")].pk
            else:
                kwargs[param] = w[NAME_PK.get(name) or NAMESPACE_OBJECT[ns]].pk
        else:
            raise AssertionError(f"{name}: no value for URL parameter {param!r}; add it to url_for")
    if name.startswith("training:") and "pk" in kwargs and NAME_PK.get(name):
        kwargs["pk"] = w[NAME_PK[name]].pk
    url = reverse(name, kwargs=kwargs)
    if name == "monitoring:records" or name == "monitoring:dashboard":
        url += "?as_of=2025-06-30"
    return url


def code_of(response):
    status = response.status_code
    if status in (301, 302):
        location = response["Location"]
        return "L" if ("/accounts/login/" in location or "/admin/login/" in location) else "3"
    return {200: "2", 403: "F", 404: "N", 405: "M", 400: "B"}.get(status, str(status))


def matches(expected, actual):
    if expected == "-":
        return True
    if expected == "D":
        return actual in ("F", "N")
    if expected == "R":
        return actual in ("F", "N", "3")
    return expected == actual


def persona_clients(personas):
    from django.test import Client

    clients = {"anonymous": Client()}
    for key in PERSONAS[1:]:
        c = Client()
        f.log_in(c, personas[key])
        clients[key] = c
    return clients


class _Rollback(Exception):
    pass


def fetch(client, method, url):
    """One request in a savepoint that is rolled back afterwards."""
    result = {}
    try:
        with transaction.atomic():
            response = client.post(url) if method == "POST" else client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
            result["response"], result["body"] = response, body
            raise _Rollback
    except _Rollback:
        pass
    return result["response"], result["body"]


def our_patterns():
    return [(route, name) for route, name, _ in all_patterns() if not is_third_party(route, name)]


# --- the tests -----------------------------------------------------------------------------------


def test_every_url_is_in_the_table(db):
    missing = [f"{name or '(unnamed)'}  [{route}]" for route, name in our_patterns() if name not in TABLE]
    assert not missing, (
        "URLs without a row in tests/accounts/test_access_matrix.py TABLE (say who may open them):\n  " + "\n  ".join(missing)
    )
    # The 审计日志 viewset appears once AccountsConfig.ready imports accounts.audit_hooks.
    stale = sorted(set(TABLE) - {name for _, name in our_patterns()} - {n for n in TABLE if n.startswith("audit_logentry:")})
    assert not stale, f"TABLE rows for URLs that no longer exist: {stale}"


def _observe(personas, w, names=None):
    """{name: (method, url, {persona: (code, response, body)})} for our URLs."""
    clients = persona_clients(personas)
    seen = {}
    for route, name in our_patterns():
        if names is not None and name not in names:
            continue
        method = TABLE[name][0] if name in TABLE else "GET"
        url = url_for(name, route, w)
        row = {}
        for persona in PERSONAS:
            response, body = fetch(clients[persona], method, url)
            row[persona] = (code_of(response), response, body)
        if name not in TABLE and row["commission"][0] == "M":
            method = "POST"
            row = {p: (code_of(r), r, b) for p in PERSONAS for r, b in [fetch(clients[p], method, url)]}
        seen[name] = (method, url, row)
    return seen


def test_access_matrix(world, personas):
    import os

    seen = _observe(personas, world)
    dump = os.environ.get("ACCESS_MATRIX_DUMP")
    if dump:
        with open(dump, "w") as out:
            for name, (method, url, row) in seen.items():
                out.write(f'    "{name}": ("{method}", "{"".join(row[p][0] for p in PERSONAS)}"),  # {url}\n')
    problems = []
    for name, (method, url, row) in seen.items():
        if name not in TABLE:
            continue
        expected = TABLE[name][1]
        for persona, want in zip(PERSONAS, expected):
            got = row[persona][0]
            if not matches(want, got):
                problems.append(f"{name} {method} {url} as {persona}: expected {want}, got {got}")
    assert not problems, "access matrix mismatches:\n" + "\n".join(problems)
    leaks = other_side_leaks(seen, personas)
    assert not leaks, "another provider's or county's person is listed:\n" + "\n".join(leaks)


SIDE_B = ("trainee_b", "provider_b", "county_y")
SIDE_A = ("trainee_a", "provider_a", "county_x")


def texts_of(response, body):
    """The text a user sees in a page or an export (xlsx cells, zip member names)."""
    ctype = response.get("Content-Type", "")
    if "spreadsheetml" in ctype or body[:2] == b"PK" and b"xl/" in body[:2000]:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        return " ".join(str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    if "zip" in ctype:
        return " ".join(zipfile.ZipFile(io.BytesIO(body)).namelist())
    if ctype.startswith(("text/", "application/json", "image/svg")):
        return body.decode("utf-8", "replace")
    return ""


def other_side_leaks(seen, personas):
    """Lists, searches and exports a B-side persona can open never name side A's person."""
    leaks = []
    for name, (method, url, row) in seen.items():
        if method != "GET":
            continue
        for persona in SIDE_B:
            code, response, body = row[persona]
            if code == "2" and A_NAME in texts_of(response, body):
                leaks.append(f"{name} {url} as {persona} shows {A_NAME}")
    # Searches and filtered lists. The query is part of the name only ("雅琴"), so a page that
    # echoes the query back does not count; the full name in the answer does.
    clients = persona_clients(personas)
    part = A_NAME[1:]
    for persona in SIDE_B:
        for url in ("/admin/registry/persons/?q=" + part, "/site/search/?q=" + part,
                    "/certificates/manage/?q=" + part, "/admin/registry/employments/?q=" + part,
                    "/training/runs/?q=" + part, "/admin/training/runs/?q=" + part):
            response, body = fetch(clients[persona], "GET", url)
            if response.status_code == 200 and A_NAME in texts_of(response, body):
                leaks.append(f"{url} as {persona} shows {A_NAME}")
    return leaks


# Observed on a fresh tree and reviewed row by row (see the notes); regenerate the lines with
# ACCESS_MATRIX_DUMP=/tmp/matrix.txt and compare, never paste without reading.
# Persona order: anonymous trainee_a trainee_b provider_a provider_b county_x county_y commission editor.
# In Wagtail's admin, a user with admin access but without the model permission is redirected
# to the admin home with a message (3); trainees have no admin access at all (L).
# Snippet choosers of experts, topics and age bands answer every admin user: the data is public
# (the same lists are on the parents' site).
TABLE = {
    "wagtailsnippets_cms_expert:list": ("GET", "LLL333322"),  # /admin/snippets/cms/expert/
    "wagtailsnippets_cms_expert:list_results": ("GET", "LLL333322"),  # /admin/snippets/cms/expert/results/
    "wagtailsnippets_cms_expert:add": ("GET", "LLL333332"),  # /admin/snippets/cms/expert/add/
    "wagtailsnippets_cms_expert:edit": ("GET", "LLL333332"),  # /admin/snippets/cms/expert/edit/1/
    "wagtailsnippets_cms_expert:delete": ("GET", "LLL333332"),  # /admin/snippets/cms/expert/delete/1/
    "wagtailsnippets_cms_expert:usage": ("GET", "LLL333332"),  # /admin/snippets/cms/expert/usage/1/
    "wagtailsnippets_cms_expert:history": ("GET", "LLL333332"),  # /admin/snippets/cms/expert/history/1/
    "wagtailsnippets_cms_expert:history_results": ("GET", "LLL333332"),  # /admin/snippets/cms/expert/history-results/1/
    "wagtailsnippetchoosers_cms_expert:choose": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/expert/
    "wagtailsnippetchoosers_cms_expert:choose_results": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/expert/results/
    "wagtailsnippetchoosers_cms_expert:chosen": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/expert/chosen/1/
    "wagtailsnippetchoosers_cms_expert:chosen_multiple": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/expert/chosen-multiple/
    "wagtailsnippetchoosers_cms_expert:create": ("GET", "LLL333332"),  # /admin/snippets/choose/cms/expert/create/
    "wagtailsnippets_cms_topic:list": ("GET", "LLL333332"),  # /admin/snippets/cms/topic/
    "wagtailsnippets_cms_topic:list_results": ("GET", "LLL333332"),  # /admin/snippets/cms/topic/results/
    "wagtailsnippets_cms_topic:add": ("GET", "LLL333332"),  # /admin/snippets/cms/topic/add/
    "wagtailsnippets_cms_topic:edit": ("GET", "LLL333332"),  # /admin/snippets/cms/topic/edit/1/
    "wagtailsnippets_cms_topic:delete": ("GET", "LLL333333"),  # /admin/snippets/cms/topic/delete/1/
    "wagtailsnippets_cms_topic:usage": ("GET", "LLL333332"),  # /admin/snippets/cms/topic/usage/1/
    "wagtailsnippets_cms_topic:history": ("GET", "LLL333332"),  # /admin/snippets/cms/topic/history/1/
    "wagtailsnippets_cms_topic:history_results": ("GET", "LLL333332"),  # /admin/snippets/cms/topic/history-results/1/
    "wagtailsnippetchoosers_cms_topic:choose": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/topic/
    "wagtailsnippetchoosers_cms_topic:choose_results": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/topic/results/
    "wagtailsnippetchoosers_cms_topic:chosen": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/topic/chosen/1/
    "wagtailsnippetchoosers_cms_topic:chosen_multiple": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/topic/chosen-multiple/
    "wagtailsnippetchoosers_cms_topic:create": ("GET", "LLL333332"),  # /admin/snippets/choose/cms/topic/create/
    "wagtailsnippets_cms_ageband:list": ("GET", "LLL333332"),  # /admin/snippets/cms/ageband/
    "wagtailsnippets_cms_ageband:list_results": ("GET", "LLL333332"),  # /admin/snippets/cms/ageband/results/
    "wagtailsnippets_cms_ageband:add": ("GET", "LLL333333"),  # /admin/snippets/cms/ageband/add/
    "wagtailsnippets_cms_ageband:edit": ("GET", "LLL333332"),  # /admin/snippets/cms/ageband/edit/3/
    "wagtailsnippets_cms_ageband:delete": ("GET", "LLL333333"),  # /admin/snippets/cms/ageband/delete/3/
    "wagtailsnippets_cms_ageband:usage": ("GET", "LLL333332"),  # /admin/snippets/cms/ageband/usage/3/
    "wagtailsnippets_cms_ageband:history": ("GET", "LLL333332"),  # /admin/snippets/cms/ageband/history/3/
    "wagtailsnippets_cms_ageband:history_results": ("GET", "LLL333332"),  # /admin/snippets/cms/ageband/history-results/3/
    "wagtailsnippetchoosers_cms_ageband:choose": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/ageband/
    "wagtailsnippetchoosers_cms_ageband:choose_results": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/ageband/results/
    "wagtailsnippetchoosers_cms_ageband:chosen": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/ageband/chosen/3/
    "wagtailsnippetchoosers_cms_ageband:chosen_multiple": ("GET", "LLL222222"),  # /admin/snippets/choose/cms/ageband/chosen-multiple/
    "wagtailsnippetchoosers_cms_ageband:create": ("GET", "LLL333333"),  # /admin/snippets/choose/cms/ageband/create/
    "accounts_user:index": ("GET", "LLLFFFF2F"),  # /admin/accounts/users/
    "accounts_user:index_results": ("GET", "LLLFFFF2F"),  # /admin/accounts/users/results/
    "accounts_user:add": ("GET", "LLLFFFF2F"),  # /admin/accounts/users/new/
    "accounts_user:edit": ("GET", "LLLNNNN2N"),  # /admin/accounts/users/edit/1/
    "accounts_user:delete": ("GET", "LLLNNNNFN"),  # /admin/accounts/users/delete/1/
    "accounts_user:history": ("GET", "LLLNNNN2N"),  # /admin/accounts/users/history/1/
    "accounts_user:history_results": ("GET", "LLLNNNN2N"),  # /admin/accounts/users/history-results/1/
    "accounts_user:usage": ("GET", "LLLNNNN2N"),  # /admin/accounts/users/usage/1/
    "registry_institution:index": ("GET", "LLLFF222F"),  # /admin/registry/institutions/
    "registry_institution:index_results": ("GET", "LLLFF222F"),  # /admin/registry/institutions/results/
    "registry_institution:add": ("GET", "LLLFF222F"),  # /admin/registry/institutions/new/
    "registry_institution:edit": ("GET", "LLLNN2N2N"),  # /admin/registry/institutions/edit/1/
    "registry_institution:delete": ("GET", "LLLNNFN2N"),  # /admin/registry/institutions/delete/1/
    "registry_institution:history": ("GET", "LLLNN2N2N"),  # /admin/registry/institutions/history/1/
    "registry_institution:history_results": ("GET", "LLLNN2N2N"),  # /admin/registry/institutions/history-results/1/
    "registry_institution:usage": ("GET", "LLLNN2N2N"),  # /admin/registry/institutions/usage/1/
    "registry_institution:inspect": ("GET", "LLLNN2N2N"),  # /admin/registry/institutions/inspect/1/
    "registry_trainingprovider:index": ("GET", "LLL22222F"),  # /admin/registry/providers/
    "registry_trainingprovider:index_results": ("GET", "LLL22222F"),  # /admin/registry/providers/results/
    "registry_trainingprovider:add": ("GET", "LLLFFFF2F"),  # /admin/registry/providers/new/
    "registry_trainingprovider:edit": ("GET", "LLL2NFN2N"),  # /admin/registry/providers/edit/1/
    "registry_trainingprovider:delete": ("GET", "LLLFNFN2N"),  # /admin/registry/providers/delete/1/
    "registry_trainingprovider:history": ("GET", "LLL2NFN2N"),  # /admin/registry/providers/history/1/
    "registry_trainingprovider:history_results": ("GET", "LLL2NFN2N"),  # /admin/registry/providers/history-results/1/
    "registry_trainingprovider:usage": ("GET", "LLL2NFN2N"),  # /admin/registry/providers/usage/1/
    "registry_trainingprovider:inspect": ("GET", "LLL2N2N2N"),  # /admin/registry/providers/inspect/1/
    "registry_person:index": ("GET", "LLLFF222F"),  # /admin/registry/persons/
    "registry_person:index_results": ("GET", "LLLFF222F"),  # /admin/registry/persons/results/
    "registry_person:add": ("GET", "LLLFF222F"),  # /admin/registry/persons/new/
    "registry_person:edit": ("GET", "LLLFN2N2N"),  # /admin/registry/persons/edit/1/
    "registry_person:delete": ("GET", "LLLFNFN2N"),  # /admin/registry/persons/delete/1/
    "registry_person:history": ("GET", "LLLFN2N2N"),  # /admin/registry/persons/history/1/
    "registry_person:history_results": ("GET", "LLLFN2N2N"),  # /admin/registry/persons/history-results/1/
    "registry_person:usage": ("GET", "LLLFN2N2N"),  # /admin/registry/persons/usage/1/
    "registry_person:inspect": ("GET", "LLLFN2N2N"),  # /admin/registry/persons/inspect/1/
    "registry_employment:index": ("GET", "LLLFF222F"),  # /admin/registry/employments/
    "registry_employment:index_results": ("GET", "LLLFF222F"),  # /admin/registry/employments/results/
    "registry_employment:add": ("GET", "LLLFF222F"),  # /admin/registry/employments/new/
    "registry_employment:edit": ("GET", "LLLNN2N2N"),  # /admin/registry/employments/edit/1/
    "registry_employment:delete": ("GET", "LLLNNFN2N"),  # /admin/registry/employments/delete/1/
    "registry_employment:history": ("GET", "LLLNN2N2N"),  # /admin/registry/employments/history/1/
    "registry_employment:history_results": ("GET", "LLLNN2N2N"),  # /admin/registry/employments/history-results/1/
    "registry_employment:usage": ("GET", "LLLNN2N2N"),  # /admin/registry/employments/usage/1/
    "registry_employment:inspect": ("GET", "LLLNN2N2N"),  # /admin/registry/employments/inspect/1/
    "training_courserun:index": ("GET", "LLL22222F"),  # /admin/training/runs/
    "training_courserun:index_results": ("GET", "LLL22222F"),  # /admin/training/runs/results/
    "training_courserun:add": ("GET", "LLL22FF2F"),  # /admin/training/runs/new/
    "training_courserun:edit": ("GET", "LLL2NFN2N"),  # /admin/training/runs/edit/1/
    "training_courserun:delete": ("GET", "LLL2NFNFN"),  # /admin/training/runs/delete/1/
    "training_courserun:history": ("GET", "LLL2NFN2N"),  # /admin/training/runs/history/1/
    "training_courserun:history_results": ("GET", "LLL2NFN2N"),  # /admin/training/runs/history-results/1/
    "training_courserun:usage": ("GET", "LLL2NFN2N"),  # /admin/training/runs/usage/1/
    "training_courserun:inspect": ("GET", "LLL2N2N2N"),  # /admin/training/runs/inspect/1/
    "training_session:index": ("GET", "LLL22222F"),  # /admin/training/sessions/
    "training_session:index_results": ("GET", "LLL22222F"),  # /admin/training/sessions/results/
    "training_session:add": ("GET", "LLL22FF2F"),  # /admin/training/sessions/new/
    "training_session:edit": ("GET", "LLL2NFN2N"),  # /admin/training/sessions/edit/1/
    "training_session:delete": ("GET", "LLL2NFNFN"),  # /admin/training/sessions/delete/1/
    "training_session:history": ("GET", "LLL2NFN2N"),  # /admin/training/sessions/history/1/
    "training_session:history_results": ("GET", "LLL2NFN2N"),  # /admin/training/sessions/history-results/1/
    "training_session:usage": ("GET", "LLL2NFN2N"),  # /admin/training/sessions/usage/1/
    "training_session:inspect": ("GET", "LLL2N2N2N"),  # /admin/training/sessions/inspect/1/
    "certification_type:index": ("GET", "LLL332223"),  # /admin/certification_type/
    "certification_type:index_results": ("GET", "LLL332223"),  # /admin/certification_type/results/
    "certification_type:add": ("GET", "LLL333323"),  # /admin/certification_type/new/
    "certification_type:edit": ("GET", "LLL333323"),  # /admin/certification_type/edit/1/
    "certification_type:delete": ("GET", "LLL333333"),  # /admin/certification_type/delete/1/
    "certification_type:history": ("GET", "LLL333323"),  # /admin/certification_type/history/1/
    "certification_type:history_results": ("GET", "LLL333323"),  # /admin/certification_type/history-results/1/
    "certification_type:usage": ("GET", "LLL333323"),  # /admin/certification_type/usage/1/
    "certification_type:inspect": ("GET", "LLL332223"),  # /admin/certification_type/inspect/1/
    "certification_verificationlog:index": ("GET", "LLL333323"),  # /admin/certification_verificationlog/
    "certification_verificationlog:index_results": ("GET", "LLL333323"),  # /admin/certification_verificationlog/results/
    "certification_verificationlog:add": ("GET", "LLL333333"),  # /admin/certification_verificationlog/new/
    "certification_verificationlog:edit": ("GET", "LLL333333"),  # /admin/certification_verificationlog/edit/1/
    "certification_verificationlog:delete": ("GET", "LLL333333"),  # /admin/certification_verificationlog/delete/1/
    "certification_verificationlog:history": ("GET", "LLL333333"),  # /admin/certification_verificationlog/history/1/
    "certification_verificationlog:history_results": ("GET", "LLL333333"),  # /admin/certification_verificationlog/history-results/1/
    "certification_verificationlog:usage": ("GET", "LLL333333"),  # /admin/certification_verificationlog/usage/1/
    "monitoring_target:index": ("GET", "LLL332223"),  # /admin/monitoring_target/
    "monitoring_target:index_results": ("GET", "LLL332223"),  # /admin/monitoring_target/results/
    "monitoring_target:add": ("GET", "LLL333323"),  # /admin/monitoring_target/new/
    "monitoring_target:edit": ("GET", "LLL333323"),  # /admin/monitoring_target/edit/1/
    "monitoring_target:delete": ("GET", "LLL333323"),  # /admin/monitoring_target/delete/1/
    "monitoring_target:history": ("GET", "LLL333323"),  # /admin/monitoring_target/history/1/
    "monitoring_target:history_results": ("GET", "LLL333323"),  # /admin/monitoring_target/history-results/1/
    "monitoring_target:usage": ("GET", "LLL333323"),  # /admin/monitoring_target/usage/1/
    "monitoring_target:inspect": ("GET", "LLL332223"),  # /admin/monitoring_target/inspect/1/
    "monitoring_target:copy": ("GET", "LLL333323"),  # /admin/monitoring_target/copy/1/
    "survey_responses:index": ("GET", "LLL333323"),  # /admin/survey_responses/
    "survey_responses:index_results": ("GET", "LLL333323"),  # /admin/survey_responses/results/
    "survey_responses:add": ("GET", "LLL333333"),  # /admin/survey_responses/new/
    "survey_responses:edit": ("GET", "LLL333333"),  # /admin/survey_responses/edit/1/
    "survey_responses:delete": ("GET", "LLL333333"),  # /admin/survey_responses/delete/1/
    "survey_responses:history": ("GET", "LLL333333"),  # /admin/survey_responses/history/1/
    "survey_responses:history_results": ("GET", "LLL333333"),  # /admin/survey_responses/history-results/1/
    "survey_responses:usage": ("GET", "LLL333333"),  # /admin/survey_responses/usage/1/
    "survey_responses:inspect": ("GET", "LLL333323"),  # /admin/survey_responses/inspect/1/
    "accounts:portal": ("GET", "L22222222"),  # /me/
    "registry:claim": ("GET", "L33FFFFFF"),  # /registry/claim/
    "registry:reveal_id": ("POST", "L2NFNFN2N"),  # /registry/persons/1/reveal-id/
    "training:my_training": ("GET", "L22FFFFFF"),  # /training/me/
    "training:my_enrollment": ("GET", "L2NFFFFFF"),
    "training:my_records_export": ("GET", "L22FFFFFF"),  # /training/me/records.xlsx (own records only)  # /training/me/enrollments/1/
    "training:withdraw": ("POST", "L3NFFFFFF"),  # /training/me/enrollments/1/withdraw/
    "training:enrol": ("POST", "L33FFFFFF"),  # /training/runs/1/enrol/
    "training:run_list": ("GET", "LFF22222F"),  # /training/runs/
    "training:run_detail": ("GET", "LFF2N2N2F"),  # /training/runs/1/
    "training:approve_enrollment": ("POST", "LFF3NFN3F"),  # /training/runs/1/enrollments/1/approve/
    "training:reject_enrollment": ("POST", "LFF3NFN3F"),  # /training/runs/1/enrollments/1/reject/
    "training:attendance_sheet": ("GET", "LFF2N2N2F"),  # /training/runs/1/sessions/1/attendance/
    "training:checkin_display": ("GET", "LFF2NFN2F"),  # /training/runs/1/sessions/1/qr/
    "training:checkin": ("GET", "LBFFFFFFF"),  # /training/checkin/1/not-a-code/
    "training:scores": ("GET", "LFF2N2N2F"),  # /training/runs/1/scores/
    "training:finish": ("GET", "LFF2NFN2F"),  # /training/runs/1/finish/
    "training:roster_export": ("GET", "LFF2N2N2F"),  # /training/runs/1/roster.xlsx
    "certification:mine": ("GET", "L22FFFFFF"),  # /certificates/
    "certification:submit": ("GET", "L22FFFFFF"),  # /certificates/submit/
    "certification:detail": ("GET", "L2N2N2N2N"),  # /certificates/1/
    "certification:pdf": ("GET", "L2N2N2N2N"),  # /certificates/1/pdf/
    "certification:qr": ("GET", "L2N2N2N2N"),  # /certificates/1/qr.svg
    "certification:scan": ("GET", "L2NNN2N2N"),  # /certificates/2/scan/
    "certification:revoke": ("GET", "LFN2NFN2N"),  # /certificates/1/revoke/
    "certification:review": ("POST", "LFNNNBNBN"),  # /certificates/2/review/
    "certification:supersede": ("GET", "LFN2NFN2N"),  # /certificates/1/supersede/
    "certification:manage": ("GET", "LFFFF222F"),  # /certificates/manage/
    "certification:review_queue": ("GET", "LFFFF222F"),  # /certificates/reviews/
    "certification:provider": ("GET", "LFF22FFFF"),  # /certificates/provider/
    "certification:run": ("GET", "LFF2N2N2N"),  # /certificates/runs/1/
    "certification:issue_run": ("POST", "LFFBNFNBN"),  # /certificates/runs/1/issue/
    "certification:issue_enrollment": ("POST", "LFNBNFNBN"),  # /certificates/enrollments/1/issue/
    "certification:run_zip": ("GET", "L2N2N2N2N"),  # /certificates/runs/1/certificates.zip
    "certification:verify": ("GET", "222222222"),  # /certificates/verify/
    "certification:verify_json": ("GET", "NNNNNNNNN"),  # /certificates/verify/api/
    "verify:page": ("GET", "222222222"),  # /verify/
    "verify:json": ("GET", "NNNNNNNNN"),  # /verify/api/
    "healthz": ("GET", "222222222"),  # /healthz
    "favicon": ("GET", "333333333"),  # /favicon.ico -> the static icon
    "monitoring:dashboard": ("GET", "LFFFF222F"),  # /dashboard/?as_of=2025-06-30
    "monitoring:records": ("GET", "LFFFF222F"),  # /dashboard/records/director_training_person_times/?as_of=2025-06-30
    "monitoring:chart": ("GET", "LFFFF222F"),  # /dashboard/chart/director_training_person_times.svg
    "monitoring:reports": ("GET", "LFFFF222F"),  # /dashboard/reports/ (the user's own reports)
    # POSTed without a format: 400 for those who may ask (tests/monitoring/test_reports.py asks properly).
    "monitoring:report_request": ("POST", "LFFFFBBBF"),  # /dashboard/reports/new/
    # pk = the snapshot's: no report of anyone's (snapshot files are served by snapshot_file only).
    "monitoring:report_file": ("GET", "LFFFFNNNF"),  # /dashboard/reports/1/download/
    "monitoring:snapshots": ("GET", "LFFFFFF2F"),  # /dashboard/snapshots/
    "monitoring:snapshot_file": ("GET", "LFFFFFF2F"),  # /dashboard/snapshots/1/xlsx/
    "monitoring:snapshot_retry": ("POST", "LFFFFFF3F"),  # /dashboard/snapshots/1/xlsx/retry/ (file there: nothing to do)
    "imports:index": ("GET", "LFF22222F"),  # /imports/
    "imports:upload": ("POST", "LFFBBBBBF"),  # /imports/upload/
    "imports:template": ("GET", "LFFFF222F"),  # /imports/templates/staff.xlsx
    "imports:detail": ("GET", "LFFNN2N2F"),  # /imports/1/
    "imports:confirm": ("POST", "LFFNN3NFF"),  # /imports/1/confirm/
    "imports:cancel": ("POST", "LFFNN3NFF"),  # /imports/1/cancel/
    "imports:errors": ("GET", "LFFNN2N2F"),  # /imports/1/errors.xlsx
    "imports:original": ("GET", "LFFNN2N2F"),  # /imports/1/original/
    "cms:search": ("GET", "222222222"),  # /site/search/
    "cms:experts": ("GET", "222222222"),  # /site/experts/
    "cms:class_signups": ("GET", "LNNNN2N2N"),  # /site/classes/7/signups/
    "cms:class_ics": ("GET", "222222222"),  # /site/classes/7/calendar.ics
    # 审计日志 (accounts.audit_views): the commission only; read-only for everyone.
    "audit_logentry:index": ("GET", "LLLRRRR2R"),
    "audit_logentry:index_results": ("GET", "LLLRRRR2R"),
    "audit_logentry:inspect": ("GET", "LLLRRRR2R"),
    "audit_logentry:add": ("GET", "LLLRRRRRR"),
    "audit_logentry:edit": ("GET", "LLLRRRRRR"),
    "audit_logentry:delete": ("GET", "LLLRRRRRR"),
    "audit_logentry:history": ("GET", "LLLRRRR-R"),
    "audit_logentry:history_results": ("GET", "LLLRRRR-R"),
    "audit_logentry:usage": ("GET", "LLLRRRR-R"),
}
