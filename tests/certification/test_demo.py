"""certification.demo: idempotent, and the 持证上岗率 it produces is plausible (55–75%)."""

import datetime
import random

import pytest

from accounts.models import Role
from certification import demo
from certification.models import Certificate, local_today
from registry.models import StaffRole

from tests import factories as f

pytestmark = pytest.mark.django_db


class Ctx:
    def __init__(self):
        self.accounts, self.lines = [], []

    def rng(self, name):
        return random.Random(f"qujing-demo-{name}")

    def log(self, msg):
        self.lines.append(msg)


def test_demo_is_idempotent_and_rate_plausible():
    f.UserFactory(role=Role.COMMISSION)
    institution = f.InstitutionFactory(county=f.county("麒麟区"))
    start = datetime.date(2024, 1, 1)
    for i in range(40):
        role = [StaffRole.CAREGIVER, StaffRole.DIRECTOR, StaffRole.HEALTH, StaffRole.OTHER][i % 4]
        f.EmploymentFactory(institution=institution, role=role, start_date=start)
    demo.seed(Ctx())
    first = sorted(Certificate.objects.values_list("number", "person_id"))
    demo.seed(Ctx())
    assert sorted(Certificate.objects.values_list("number", "person_id")) == first
    staff = {e.person_id for e in institution.employments.exclude(role=StaffRole.OTHER)}
    certified = set(Certificate.objects.valid_on(local_today()).values_list("person_id", flat=True)) & staff
    assert 0.55 <= len(certified) / len(staff) <= 0.75
