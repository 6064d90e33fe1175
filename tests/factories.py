"""factory_boy factories for the registry and accounts. Other areas keep their own modules."""

import datetime
import itertools

import factory

from accounts.models import Role, User
from core.validators import make_id_number, make_uscc
from registry.models import (
    County,
    Employment,
    Institution,
    InstitutionType,
    Person,
    RegistrationStatus,
    StaffRole,
    TrainingProvider,
)

_id_seq = itertools.count(1)


def next_id_number(birth=datetime.date(1990, 1, 1), area="530302"):
    """A fresh valid 身份证号; sequences never repeat within a test run."""
    n = next(_id_seq)
    day = birth + datetime.timedelta(days=n // 900)
    return make_id_number(area, day, n % 900 + 1)


def county(name="麒麟区"):
    return County.objects.get(name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.TRAINEE
    password = factory.django.Password("Qujing-2026!")


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingProvider

    name = factory.Sequence(lambda n: f"曲靖第{n}培训学校")
    county = factory.LazyFunction(county)


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    name = factory.Sequence(lambda n: f"阳光托育园{n}号")
    uscc = factory.Sequence(lambda n: make_uscc(f"52530302MJ{n:07d}"))
    county = factory.LazyFunction(county)
    type = InstitutionType.PRIVATE
    registration_status = RegistrationStatus.REGISTERED
    registration_date = datetime.date(2023, 6, 1)
    capacity = 60


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{'一二三四五六七八九十'[n % 10]}明")
    id_number = factory.LazyFunction(next_id_number)
    phone = factory.Sequence(lambda n: f"139{n:08d}")


class EmploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employment

    person = factory.SubFactory(PersonFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = StaffRole.CAREGIVER
    start_date = datetime.date(2024, 1, 1)


def log_in(client, user):
    """Log `user` in on `client` the way a full allauth login leaves the session: for staff
    who must use a second factor, a TOTP device and the session's record of having passed it
    (accounts.security refuses staff sessions without that record)."""
    import time as _time

    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from accounts.security import requires_second_factor

    client.force_login(user)
    if not requires_second_factor(user):
        return client
    device = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if device is None:
        device = TOTP.activate(user, generate_totp_secret()).instance
    session = client.session
    now = _time.time()
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": now},
        {"method": "mfa", "at": now, "id": device.pk, "type": device.type},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client
