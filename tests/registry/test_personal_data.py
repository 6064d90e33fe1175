"""身份证号 are encrypted at rest, unique by the database, masked in display."""

import datetime
import pytest
from django.db import IntegrityError, connection, transaction

from core import pii
from registry.models import Person

from tests import factories as f

NUMBER = "530381198506151231"


@pytest.fixture
def person(db):
    p = Person(name="张晓明", phone="13812345678")
    p.id_number = NUMBER
    p.save()
    return p


def test_raw_number_never_stored(person):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM registry_person")
        rows = cursor.fetchall()
    flat = " ".join(str(v) for row in rows for v in row)
    assert NUMBER not in flat
    assert NUMBER[6:14] not in flat  # not even the birth date part in clear
    # and it reads back
    assert Person.objects.get(pk=person.pk).id_number == NUMBER


@pytest.mark.sqlite  # reads the SQLite file; on PostgreSQL the row check above applies
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_raw_number_not_in_the_database_file(tmp_path):
    p = Person(name="张晓明")
    p.id_number = NUMBER
    p.save()
    # The database *file*: copy the committed test database to disk and search its bytes.
    target = tmp_path / "copy.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(target)])
    data = target.read_bytes()
    assert NUMBER.encode() not in data
    assert "张晓明".encode() in data  # sanity: the file holds the row


def test_derived_fields(person):
    assert person.gender == "M"
    assert person.birth_date == datetime.date(1985, 6, 15)
    assert person.id_number_masked == "5303**********1231"


def test_lookup_by_number_uses_the_hash(person):
    assert Person.objects.by_id_number(" 530381198506151231 ").get() == person
    assert not Person.objects.by_id_number("11010519491231002X").exists()


def test_the_database_refuses_two_persons_with_one_number(person):
    twin = Person(name="张晓明")
    twin.id_number = NUMBER
    with pytest.raises(IntegrityError), transaction.atomic():
        # bulk_create skips model validation: the constraint itself must hold.
        Person.objects.bulk_create([twin])


def test_masking_helpers():
    assert pii.mask_id_number("53030219900101123X") == "5303**********123X"
    assert pii.mask_phone("13812345678") == "138****5678"
    assert pii.mask_name("张三明") == "张*明"
    assert pii.mask_name("张三") == "张*"
    assert pii.mask_name("欧阳小明") == "欧**明"
    assert pii.mask_phone("") == ""


def test_wrong_key_fails_loudly(person, settings):
    from cryptography.fernet import Fernet

    settings.PII_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(ValueError):
        Person.objects.get(pk=person.pk).id_number


def test_key_rotation_keeps_old_values_readable(person, settings):
    from cryptography.fernet import Fernet

    settings.PII_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.PII_ENCRYPTION_KEYS]
    assert Person.objects.get(pk=person.pk).id_number == NUMBER


def test_portal_shows_own_number_masked(person, as_user):
    user = f.UserFactory()
    person.user = user
    person.save()
    body = as_user(user).get("/me/").content.decode()
    assert "5303**********1231" in body
    assert NUMBER not in body
