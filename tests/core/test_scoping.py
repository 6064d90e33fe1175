"""core.scoping: a Scope declaration gives each persona its rows; get_for_user answers 404 / 403."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Role
from core.scoping import get_for_user
from registry.models import County, Employment, Institution, TrainingProvider

from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Two counties, each with an institution, an employment and a provider; one user per role."""
    x = f.county("麒麟区")
    y = County.objects.exclude(pk=x.pk).first()
    inst_x, inst_y = f.InstitutionFactory(county=x), f.InstitutionFactory(county=y)
    trainee_user = f.UserFactory(role=Role.TRAINEE)
    emp_x = f.EmploymentFactory(institution=inst_x, person=f.PersonFactory(user=trainee_user))
    emp_y = f.EmploymentFactory(institution=inst_y)
    prov_x, prov_y = f.ProviderFactory(county=x), f.ProviderFactory(county=y)
    return {
        "inst": (inst_x, inst_y),
        "emp": (emp_x, emp_y),
        "prov": (prov_x, prov_y),
        "commission": f.UserFactory(role=Role.COMMISSION),
        "county_x": f.UserFactory(role=Role.COUNTY, county=x),
        "provider_x": f.UserFactory(role=Role.PROVIDER, provider=prov_x),
        "trainee": trainee_user,
        "anonymous": AnonymousUser(),
    }


def pks(qs):
    return set(qs.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "persona, institutions, employments, providers",
    [
        ("commission", {0, 1}, {0, 1}, {0, 1}),
        ("county_x", {0}, {0}, {0}),
        ("provider_x", set(), set(), {0}),
        ("trainee", set(), {0}, set()),
        ("anonymous", set(), set(), set()),
    ],
)
def test_declared_scope_gives_each_persona_its_rows(world, persona, institutions, employments, providers):
    user = world[persona]
    assert pks(Institution.objects.visible_to(user)) == {world["inst"][i].pk for i in institutions}
    assert pks(Employment.objects.visible_to(user)) == {world["emp"][i].pk for i in employments}
    assert pks(TrainingProvider.objects.visible_to(user)) == {world["prov"][i].pk for i in providers}


def test_write_scope_narrows_what_a_persona_may_change(world):
    # A county official sees the providers in their county but may not change them.
    assert pks(TrainingProvider.objects.editable_by(world["county_x"])) == set()
    assert pks(TrainingProvider.objects.editable_by(world["provider_x"])) == {world["prov"][0].pk}
    # A trainee sees their own employment but may not change it.
    assert pks(Employment.objects.editable_by(world["trainee"])) == set()
    assert pks(Employment.objects.editable_by(world["county_x"])) == {world["emp"][0].pk}


def test_get_for_user_returns_the_row_to_who_may_see_it(world):
    emp_x = world["emp"][0]
    assert get_for_user(Employment.objects, world["trainee"], emp_x.pk) == emp_x
    assert get_for_user(Employment.objects, world["county_x"], emp_x.pk, write=True) == emp_x


def test_get_for_user_404_for_outsiders_and_missing_rows(world):
    emp_y = world["emp"][1]
    with pytest.raises(Http404):
        get_for_user(Employment.objects, world["county_x"], emp_y.pk)
    with pytest.raises(Http404):
        get_for_user(Employment.objects, world["anonymous"], emp_y.pk)
    with pytest.raises(Http404):
        get_for_user(Employment.objects, world["commission"], emp_y.pk + 10_000)


def test_get_for_user_403_for_read_only_users_asking_to_write(world):
    with pytest.raises(PermissionDenied, match="无权修改"):
        get_for_user(TrainingProvider.objects, world["county_x"], world["prov"][0].pk, write=True)
    with pytest.raises(PermissionDenied):
        get_for_user(Employment.objects, world["trainee"], world["emp"][0].pk, write=True)
