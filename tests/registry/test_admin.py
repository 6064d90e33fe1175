"""The registry back office (Wagtail admin): who may see and change what, and bad input.

The access matrix covers index, add, edit, delete and inspect of the four registry models for
every persona; outsiders get 404 (or 403), never a page, and never a redirect that looks like
success.
"""

import datetime

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from stdnum.cn import ric

import accounts.roles  # noqa: F401  (connects the role signals; AccountsConfig.ready should import it)
from registry.models import Employment, Institution, Person, TrainingProvider

from tests import factories as f

pytestmark = pytest.mark.django_db

NS = {
    "institution": "registry_institution",
    "provider": "registry_trainingprovider",
    "person": "registry_person",
    "employment": "registry_employment",
}


@pytest.fixture
def world(personas, county_x_obj, county_y_obj, provider_a_obj, provider_b_obj):
    """One institution, person and employment in 麒麟区 (x) and in 宣威市 (y)."""
    inst_x = f.InstitutionFactory(name="麒麟区阳光托育园", county=county_x_obj)
    inst_y = f.InstitutionFactory(name="宣威市彩虹托育园", county=county_y_obj)
    person_x = f.PersonFactory(name="张晓明", phone="13812345678")
    person_y = f.PersonFactory(name="李春花", phone="13987654321")
    emp_x = f.EmploymentFactory(person=person_x, institution=inst_x)
    emp_y = f.EmploymentFactory(person=person_y, institution=inst_y)
    return {
        "institution": (inst_x, inst_y),
        "provider": (provider_a_obj, provider_b_obj),
        "person": (person_x, person_y),
        "employment": (emp_x, emp_y),
    }


def url(model, view, obj=None):
    if obj is None:
        return reverse(f"{NS[model]}:{view}")
    return reverse(f"{NS[model]}:{view}", args=[obj.pk])


# --- Access matrix --------------------------------------------------------------------------

OK, DENIED, MISSING = 200, 403, 404
NO_ACCESS = "no access"  # 403 or 404: the user has no business with this kind of object

# expected[persona][model] = {view: status} for x-objects ("own" scope); "other" = y-objects.
ALL_OK = {"index": OK, "add": OK, "edit": OK, "delete": OK, "inspect": OK, "edit_other": OK,
          "delete_other": OK, "inspect_other": OK}
NOTHING = {v: NO_ACCESS for v in ALL_OK}
COUNTY_RW = {"index": OK, "add": OK, "edit": OK, "delete": DENIED, "inspect": OK, "edit_other": MISSING,
             "delete_other": MISSING, "inspect_other": MISSING}
COUNTY_RO = {"index": OK, "add": DENIED, "edit": DENIED, "delete": DENIED, "inspect": OK,
             "edit_other": MISSING, "delete_other": MISSING, "inspect_other": MISSING}
PROVIDER_OWN = {"index": OK, "add": DENIED, "edit": OK, "delete": DENIED, "inspect": OK,
                "edit_other": MISSING, "delete_other": MISSING, "inspect_other": MISSING}

EXPECTED = {
    "commission": {m: ALL_OK for m in NS},
    "county_x": {"institution": COUNTY_RW, "person": COUNTY_RW, "employment": COUNTY_RW, "provider": COUNTY_RO},
    "provider_a": {"institution": NOTHING, "person": NOTHING, "employment": NOTHING, "provider": PROVIDER_OWN},
    "editor": {m: NOTHING for m in NS},
}


def _request(client, model, check, objs):
    own, other = objs
    view, _, which = check.partition("_")
    obj = other if which == "other" else own
    if view in ("index", "add"):
        return client.get(url(model, view))
    return client.get(url(model, view, obj))


@pytest.mark.parametrize("persona", sorted(EXPECTED))
@pytest.mark.parametrize("model", sorted(NS))
def test_access_matrix(persona, model, personas, world, as_user):
    client = as_user(personas[persona])
    for check, expected in EXPECTED[persona][model].items():
        response = _request(client, model, check, world[model])
        if expected == NO_ACCESS:
            assert response.status_code in (403, 404), (persona, model, check, response.status_code)
        else:
            assert response.status_code == expected, (persona, model, check, response.status_code)


def admin_login_url():
    # Wagtail sends people without admin access to WAGTAILADMIN_LOGIN_URL (or its own login).
    return resolve_url(getattr(settings, "WAGTAILADMIN_LOGIN_URL", None) or "wagtailadmin_login")


@pytest.mark.parametrize("persona", [None, "trainee_a"])
@pytest.mark.parametrize("model", sorted(NS))
def test_anonymous_and_trainees_are_sent_to_login(persona, model, personas, world, as_user):
    client = as_user(personas[persona] if persona else None)
    own, _ = world[model]
    for target in (url(model, "index"), url(model, "add"), url(model, "edit", own),
                   url(model, "delete", own), url(model, "inspect", own)):
        response = client.get(target)
        assert response.status_code == 302, target
        assert response["Location"].startswith(admin_login_url()), target


@pytest.mark.parametrize("model", sorted(NS))
def test_posting_to_out_of_scope_objects_changes_nothing(model, personas, world, as_user):
    client = as_user(personas["county_x"])
    _, other = world[model]
    assert client.post(url(model, "edit", other), {"name": "被篡改"}).status_code == 404
    assert client.post(url(model, "delete", other)).status_code == 404
    assert type(other).objects.filter(pk=other.pk).exists()


def test_county_official_cannot_delete_in_own_county(personas, world, as_user):
    inst_x, _ = world["institution"]
    response = as_user(personas["county_x"]).post(url("institution", "delete", inst_x))
    assert response.status_code == 403
    assert Institution.objects.filter(pk=inst_x.pk).exists()


def test_history_and_usage_are_scoped(personas, world, as_user):
    client = as_user(personas["county_x"])
    inst_x, inst_y = world["institution"]
    assert client.get(reverse("registry_institution:history", args=[inst_x.pk])).status_code == 200
    assert client.get(reverse("registry_institution:history", args=[inst_y.pk])).status_code == 404
    assert client.get(reverse("registry_institution:usage", args=[inst_y.pk])).status_code == 404


# --- Lists and search ------------------------------------------------------------------------


def test_county_lists_show_only_their_county(personas, world, as_user):
    client = as_user(personas["county_x"])
    for model, (own, other) in world.items():
        if model == "provider":
            continue
        page = client.get(url(model, "index")).content.decode()
        own_name = own.person.name if model == "employment" else own.name
        other_name = other.person.name if model == "employment" else other.name
        assert own_name in page, model
        assert other_name not in page, model
    page = client.get(url("provider", "index")).content.decode()
    assert "曲靖医学高等专科学校" in page and "宣威市职业技术学校" not in page


def test_provider_staff_list_only_their_provider(personas, world, as_user):
    page = as_user(personas["provider_a"]).get(url("provider", "index")).content.decode()
    assert "曲靖医学高等专科学校" in page and "宣威市职业技术学校" not in page


def test_commission_lists_everything(personas, world, as_user):
    page = as_user(personas["commission"]).get(url("person", "index")).content.decode()
    assert "张晓明" in page and "李春花" in page


def test_person_list_masks_id_number_and_phone(personas, world, as_user):
    person_x, _ = world["person"]
    page = as_user(personas["commission"]).get(url("person", "index")).content.decode()
    assert person_x.id_number_masked in page
    assert person_x.id_number not in page
    assert "138****5678" in page and "13812345678" not in page


def listed(response):
    assert response.status_code == 200
    return {obj.name for obj in response.context["object_list"]}


def test_search_by_name_respects_scope(personas, world, as_user):
    client = as_user(personas["county_x"])
    assert listed(client.get(url("person", "index"), {"q": "张晓"})) == {"张晓明"}
    assert listed(client.get(url("person", "index"), {"q": "李春花"})) == set()


def test_search_by_full_id_number_is_exact_and_scoped(personas, world, as_user):
    person_x, person_y = world["person"]
    county = as_user(personas["county_x"])
    assert listed(county.get(url("person", "index"), {"q": person_x.id_number})) == {"张晓明"}
    assert listed(county.get(url("person", "index"), {"q": person_y.id_number})) == set()
    commission = as_user(personas["commission"])
    assert listed(commission.get(url("person", "index"), {"q": person_y.id_number.lower()})) == {"李春花"}
    # A partial number matches nothing: only the whole number is ever compared (by its hash).
    assert listed(commission.get(url("person", "index"), {"q": person_y.id_number[:10]})) == set()


def test_filters_narrow_the_lists(personas, world, as_user, county_y_obj):
    client = as_user(personas["commission"])
    page = client.get(url("institution", "index"), {"county": county_y_obj.pk}).content.decode()
    assert "宣威市彩虹托育园" in page and "麒麟区阳光托育园" not in page
    page = client.get(url("person", "index"), {"county": county_y_obj.pk, "status": "current"}).content.decode()
    assert "李春花" in page and "张晓明" not in page
    emp_x, _ = world["employment"]
    emp_x.end_date = datetime.date(2024, 6, 30)
    emp_x.save()
    page = client.get(url("employment", "index"), {"status": "ended"}).content.decode()
    assert "张晓明" in page and "李春花" not in page
    page = client.get(url("person", "index"), {"role": "director"}).content.decode()
    assert "张晓明" not in page and "李春花" not in page


def test_lists_do_not_query_per_row(personas, world, as_user, django_assert_max_num_queries):
    for _ in range(15):
        f.EmploymentFactory(institution=world["institution"][0])
    client = as_user(personas["commission"])
    client.get(url("employment", "index"))  # warm caches (content types, permissions)
    with django_assert_max_num_queries(25):
        client.get(url("employment", "index"))
    with django_assert_max_num_queries(25):
        client.get(url("person", "index"))


# --- Person: 身份证号 and the reveal button -------------------------------------------------


def test_reveal_button_only_for_the_commission(personas, world, as_user):
    person_x, _ = world["person"]
    reveal = reverse("registry:reveal_id", args=[person_x.pk])
    for view in ("inspect", "edit"):
        page = as_user(personas["commission"]).get(url("person", view, person_x)).content.decode()
        assert "显示完整身份证号" in page and reveal in page
        assert person_x.id_number not in page
        page = as_user(personas["county_x"]).get(url("person", view, person_x)).content.decode()
        assert "显示完整身份证号" not in page
        assert person_x.id_number not in page


def person_data(**overrides):
    data = {"name": "王小丽", "phone": "13700001111", "id_number_input": f.next_id_number()}
    data.update(overrides)
    return data


def with_check_digit(body17):
    return body17 + ric.calc_check_digit(body17)


def wrong_check_digit(body17):
    right = ric.calc_check_digit(body17)
    return body17 + ("1" if right != "1" else "2")


@pytest.mark.parametrize(
    "id_number, message",
    [
        (wrong_check_digit("53030219900101123"), "校验位不正确"),
        (with_check_digit("53030219900230123"), "出生日期无效"),
        ("53030219900101123", "应为 18 位，当前为 17 位"),
        ("", "请填写身份证号"),
    ],
)
def test_bad_id_number_is_refused_in_chinese(id_number, message, personas, as_user):
    client = as_user(personas["commission"])
    before = Person.objects.count()
    response = client.post(url("person", "add"), person_data(id_number_input=id_number))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Person.objects.count() == before


def test_duplicate_id_number_is_a_form_error(personas, world, as_user):
    person_x, _ = world["person"]
    response = as_user(personas["commission"]).post(
        url("person", "add"), person_data(id_number_input=person_x.id_number)
    )
    assert response.status_code == 400
    assert "该身份证号已登记" in response.content.decode()
    assert Person.objects.by_id_number(person_x.id_number).count() == 1


def test_duplicate_caught_only_by_the_database_is_still_a_form_error(personas, world, as_user, monkeypatch):
    # Two clerks saving the same number at once: the form check passes for both, the unique
    # constraint on id_number_hash stops the second. That must read as a form error.
    from registry import admin_forms

    person_x, _ = world["person"]
    monkeypatch.setattr(
        admin_forms.PersonForm, "clean_id_number_input",
        lambda self: admin_forms.validate_id_number(self.cleaned_data["id_number_input"]),
    )
    response = as_user(personas["commission"]).post(
        url("person", "add"), person_data(id_number_input=person_x.id_number)
    )
    assert response.status_code == 400
    assert "该身份证号已登记" in response.content.decode()
    assert Person.objects.by_id_number(person_x.id_number).count() == 1


def test_commission_creates_and_corrects_a_person(personas, as_user):
    client = as_user(personas["commission"])
    number = f.next_id_number()
    response = client.post(url("person", "add"), person_data(id_number_input=number, phone="+86 137-0000-1111"))
    assert response.status_code == 302
    person = Person.objects.by_id_number(number).get()
    assert person.phone == "13700001111"
    assert person.id_number == number

    # Editing without typing the number keeps it; typing a new one corrects it.
    response = client.post(url("person", "edit", person), {"name": "王小丽", "phone": "", "id_number_input": ""})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.id_number == number
    corrected = f.next_id_number()
    client.post(url("person", "edit", person), {"name": "王小丽", "phone": "", "id_number_input": corrected})
    person.refresh_from_db()
    assert person.id_number == corrected


def test_bad_phone_is_refused(personas, as_user):
    before = Person.objects.count()
    response = as_user(personas["commission"]).post(url("person", "add"), person_data(phone="12345"))
    assert response.status_code == 400
    assert "手机号应为 11 位" in response.content.decode()
    assert Person.objects.count() == before


def test_county_official_creates_person_with_employment_in_their_county(personas, world, as_user):
    inst_x, inst_y = world["institution"]
    client = as_user(personas["county_x"])
    number = f.next_id_number()
    data = person_data(id_number_input=number)

    # Without an employment the person would be invisible to them at once: required.
    response = client.post(url("person", "add"), data)
    assert response.status_code == 400
    assert not Person.objects.by_id_number(number).exists()

    # Another county's institution is not a valid choice.
    response = client.post(url("person", "add"), {
        **data, "employment_institution": inst_y.pk, "employment_role": "caregiver",
        "employment_start_date": "2025-03-01",
    })
    assert response.status_code == 400
    assert not Person.objects.by_id_number(number).exists()

    response = client.post(url("person", "add"), {
        **data, "employment_institution": inst_x.pk, "employment_role": "caregiver",
        "employment_start_date": "2025-03-01",
    })
    assert response.status_code == 302
    person = Person.objects.by_id_number(number).get()
    assert person.employments.get().institution == inst_x
    assert client.get(url("person", "edit", person)).status_code == 200


# --- Institutions, providers, employments: bad input and county limits -----------------------


def institution_data(county, **overrides):
    data = {
        "name": "新开托育园", "uscc": "", "county": county.pk, "type": "private", "registration_status": "registered",
        "registration_date": "2024-05-01", "capacity": "40", "demo_level": "none", "address": "",
    }
    data.update(overrides)
    return data


def test_invalid_uscc_is_refused(personas, county_x_obj, as_user):
    response = as_user(personas["commission"]).post(
        url("institution", "add"), institution_data(county_x_obj, uscc="91530300MA6K5X7A1B")
    )
    assert response.status_code == 400
    assert "统一社会信用代码" in response.content.decode() and "无效" in response.content.decode()
    assert not Institution.objects.filter(name="新开托育园").exists()


def test_county_official_can_only_pick_their_county(personas, county_x_obj, county_y_obj, as_user):
    client = as_user(personas["county_x"])
    page = client.get(url("institution", "add")).content.decode()
    assert "麒麟区" in page and "宣威市" not in page
    response = client.post(url("institution", "add"), institution_data(county_y_obj))
    assert response.status_code == 400
    assert not Institution.objects.filter(name="新开托育园").exists()
    response = client.post(url("institution", "add"), institution_data(county_x_obj))
    assert response.status_code == 302
    assert Institution.objects.get(name="新开托育园").county == county_x_obj


def test_county_official_cannot_move_an_institution_to_another_county(personas, world, county_y_obj, as_user):
    inst_x, _ = world["institution"]
    response = as_user(personas["county_x"]).post(
        url("institution", "edit", inst_x), institution_data(county_y_obj, name=inst_x.name, uscc=inst_x.uscc)
    )
    assert response.status_code == 400
    inst_x.refresh_from_db()
    assert inst_x.county.name == "麒麟区"


def test_provider_phone_is_validated_and_staff_cannot_rename(personas, world, as_user):
    provider_a, _ = world["provider"]
    client = as_user(personas["provider_a"])
    data = {"name": "改名学校", "kind": "college", "county": "", "uscc": "", "contact_name": "周老师",
            "contact_phone": "0874-123", "approved": "on"}
    response = client.post(url("provider", "edit", provider_a), data)
    assert response.status_code == 400
    assert "手机号应为 11 位" in response.content.decode()

    response = client.post(url("provider", "edit", provider_a), {**data, "contact_phone": "139 1234 5678"})
    assert response.status_code == 302
    provider_a.refresh_from_db()
    assert provider_a.contact_phone == "13912345678"
    assert provider_a.name == "曲靖医学高等专科学校"  # name is the commission's to change
    assert provider_a.county is not None


def test_county_official_employment_limited_to_their_institutions(personas, world, as_user):
    inst_x, inst_y = world["institution"]
    person_x, _ = world["person"]
    client = as_user(personas["county_x"])
    data = {"person": person_x.pk, "institution": inst_y.pk, "role": "director", "start_date": "2025-01-01"}
    assert client.post(url("employment", "add"), data).status_code == 400
    assert not Employment.objects.filter(institution=inst_y, person=person_x).exists()
    assert client.post(url("employment", "add"), {**data, "institution": inst_x.pk}).status_code == 302
    assert Employment.objects.filter(institution=inst_x, person=person_x, role="director").exists()


def test_employment_end_before_start_is_refused(personas, world, as_user):
    emp_x, _ = world["employment"]
    response = as_user(personas["commission"]).post(url("employment", "edit", emp_x), {
        "person": emp_x.person_id, "institution": emp_x.institution_id, "role": emp_x.role,
        "start_date": "2024-01-01", "end_date": "2023-12-31",
    })
    assert response.status_code == 400
    assert "离职日期不能早于入职日期" in response.content.decode()
    emp_x.refresh_from_db()
    assert emp_x.end_date is None


def test_deleting_an_institution_with_staff_is_refused_not_a_500(personas, world, as_user):
    inst_x, _ = world["institution"]
    response = as_user(personas["commission"]).post(url("institution", "delete", inst_x), follow=True)
    assert "仍被其他记录（如任职记录）引用，不能删除" in response.content.decode()
    assert Institution.objects.filter(pk=inst_x.pk).exists()

    # Rows written by imports may be unknown to Wagtail's reference index; the database's
    # PROTECT still answers, with the same message.
    from wagtail.models import ReferenceIndex

    ReferenceIndex.objects.all().delete()
    response = as_user(personas["commission"]).post(url("institution", "delete", inst_x), follow=True)
    assert "仍被其他记录（如任职记录）引用，不能删除" in response.content.decode()
    assert Institution.objects.filter(pk=inst_x.pk).exists()


def test_commission_deletes_a_provider(personas, as_user):
    provider = f.ProviderFactory(name="待删除的培训机构")
    response = as_user(personas["commission"]).post(url("provider", "delete", provider))
    assert response.status_code == 302
    assert not TrainingProvider.objects.filter(pk=provider.pk).exists()


def test_county_official_takes_on_a_person_from_another_county_by_id_number(personas, world, as_user):
    inst_x, _ = world["institution"]
    _, person_y = world["person"]
    client = as_user(personas["county_x"])
    data = {"person": "", "institution": inst_x.pk, "role": "caregiver", "start_date": "2025-09-01"}

    # Not in their list, and a guessed pk is not accepted either.
    assert client.post(url("employment", "add"), {**data, "person": person_y.pk}).status_code == 400
    response = client.post(url("employment", "add"), {**data, "person_id_number": f.next_id_number()})
    assert response.status_code == 400
    assert "未找到该身份证号对应的从业人员" in response.content.decode()
    response = client.post(url("employment", "add"), data)
    assert response.status_code == 400
    assert "请选择人员，或填写其身份证号" in response.content.decode()

    response = client.post(url("employment", "add"), {**data, "person_id_number": person_y.id_number})
    assert response.status_code == 302
    assert Employment.objects.filter(person=person_y, institution=inst_x).exists()
    assert client.get(url("person", "inspect", person_y)).status_code == 200


def test_ajax_results_and_exports_are_scoped_and_masked(personas, world, as_user):
    person_x, person_y = world["person"]
    client = as_user(personas["county_x"])
    results = client.get(reverse("registry_person:index_results")).content.decode()
    assert "张晓明" in results and "李春花" not in results

    export = client.get(url("person", "index"), {"export": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode("utf-8-sig") if export.streaming else export.content.decode()
    assert "张晓明" in body and "李春花" not in body
    assert person_x.id_number_masked in body and person_x.id_number not in body
    assert "138****5678" in body and "13812345678" not in body
