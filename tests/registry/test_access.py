"""Who sees which registry records: the visible_to() querysets and the views built on them."""

import pytest
from auditlog.models import LogEntry

from registry.models import Employment, Institution, Person, TrainingProvider

from tests import factories as f


@pytest.fixture
def world(personas, county_x_obj, county_y_obj, provider_a_obj, provider_b_obj):
    inst_x = f.InstitutionFactory(county=county_x_obj, name="麒麟区南城托育园")
    inst_y = f.InstitutionFactory(county=county_y_obj, name="宣威市北城托育园")
    emp_x = f.EmploymentFactory(institution=inst_x, person__name="赵丽")
    emp_y = f.EmploymentFactory(institution=inst_y, person__name="钱芳")
    own = emp_x.person
    own.user = personas["trainee_a"]
    own.save()
    return {"inst_x": inst_x, "inst_y": inst_y, "emp_x": emp_x, "emp_y": emp_y, **personas}


EXPECTED = {
    # persona: (institutions, persons, employments, providers) visible, by fixture key
    "commission": ({"inst_x", "inst_y"}, {"emp_x", "emp_y"}, {"emp_x", "emp_y"}, {"a", "b"}),
    "county_x": ({"inst_x"}, {"emp_x"}, {"emp_x"}, {"a"}),
    "county_y": ({"inst_y"}, {"emp_y"}, {"emp_y"}, {"b"}),
    "provider_a": (set(), set(), set(), {"a"}),
    "provider_b": (set(), set(), set(), {"b"}),
    "trainee_a": (set(), {"emp_x"}, {"emp_x"}, set()),
    "trainee_b": (set(), set(), set(), set()),
    "editor": (set(), set(), set(), set()),
}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_visible_to_matrix(world, persona, provider_a_obj, provider_b_obj):
    user = world[persona]
    insts, persons, emps, provs = EXPECTED[persona]
    assert set(Institution.objects.visible_to(user)) == {world[k] for k in insts}
    assert set(Person.objects.visible_to(user)) == {world[k].person for k in persons}
    assert set(Employment.objects.visible_to(user)) == {world[k] for k in emps}
    by_key = {"a": provider_a_obj, "b": provider_b_obj}
    assert set(TrainingProvider.objects.visible_to(user)) == {by_key[k] for k in provs}


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    anon = AnonymousUser()
    assert not Institution.objects.visible_to(anon).exists()
    assert not Person.objects.visible_to(anon).exists()
    assert not Employment.objects.visible_to(anon).exists()


def test_ended_employment_still_scopes_person_to_county(world, county_y_obj):
    # County officials keep seeing people who used to work in their county (history).
    emp = world["emp_x"]
    emp.end_date = emp.start_date.replace(year=emp.start_date.year + 1)
    emp.save()
    assert emp.person in Person.objects.visible_to(world["county_x"])


@pytest.mark.parametrize(
    "persona, status",
    [
        ("commission", 200),
        ("county_x", 403),  # sees the person, may not reveal the number
        ("county_y", 404),  # does not even see the person
        ("provider_a", 404),
        ("trainee_b", 404),
        ("trainee_a", 200),  # their own record
    ],
)
def test_reveal_full_number(world, as_user, persona, status):
    person = world["emp_x"].person
    response = as_user(world[persona]).post(f"/registry/persons/{person.pk}/reveal-id/")
    assert response.status_code == status
    if status == 200:
        assert person.id_number in response.content.decode()
        entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.ACCESS).latest("timestamp")
        assert entry.actor == world[persona]
    else:
        assert person.id_number not in response.content.decode()


def test_reveal_requires_post_and_login(world, client):
    person = world["emp_x"].person
    assert client.post(f"/registry/persons/{person.pk}/reveal-id/").status_code == 302
    commission = world["commission"]
    f.log_in(client, commission)
    assert client.get(f"/registry/persons/{person.pk}/reveal-id/").status_code == 405
