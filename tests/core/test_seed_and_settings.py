"""seed_demo builds a realistic registry and is idempotent; settings fail loudly in production."""

import os
import subprocess
import sys
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import Role, User
from registry.models import County, Employment, Institution, InstitutionType, Person, TrainingProvider

ROOT = Path(__file__).resolve().parents[2]


def snapshot():
    return {
        "institutions": sorted(Institution.objects.values_list("uscc", "name", "registration_date")),
        "persons": sorted(Person.objects.values_list("id_number_hash", "name", "phone", "id_number_encrypted")),
        "employments": Employment.objects.count(),
        "providers": TrainingProvider.objects.count(),
        "users": sorted(User.objects.values_list("username", "password")),
    }


@pytest.mark.django_db
def test_seed_demo_is_realistic_and_idempotent():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert County.objects.count() == 10
    assert Institution.objects.count() >= 60
    types = Counter(Institution.objects.values_list("type", flat=True))
    assert set(types) == set(InstitutionType.values)
    assert set(Institution.objects.values_list("county__name", flat=True)) == set(County.objects.values_list("name", flat=True))
    assert Person.objects.count() >= 600
    assert Employment.objects.count() >= Person.objects.count()
    for role in (Role.TRAINEE, Role.PROVIDER, Role.COUNTY, Role.COMMISSION, Role.EDITOR):
        assert User.objects.filter(role=role).exists(), role
    printed = out.getvalue()
    assert "commission@qjty.demo" in printed and "Qujing@2026" in printed

    first = snapshot()
    call_command("seed_demo", stdout=StringIO())
    assert snapshot() == first


def run_manage(env_extra, *args):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests (Playwright) and must not leak
    # into a production check.
    drop = ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_manage({"DJANGO_ENV": "production", "ALLOWED_HOSTS": "qj.example.cn"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage(
        {"DJANGO_ENV": "production", "SECRET_KEY": "x" * 60, "PII_ENCRYPTION_KEY": "k", "PII_HASH_KEY": "h"}, "check"
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deploy_check():
    from cryptography.fernet import Fernet

    result = run_manage(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "prod-" + "k3y" * 20,
            "ALLOWED_HOSTS": "qjty.example.cn",
            "PII_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "PII_HASH_KEY": "hash-key-for-the-test-0123456789",
            "SMS_LOG_SENDER_ALLOWED": "true",
        },
        "check", "--deploy", "--fail-level", "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.sqlite
def test_sqlite_waits_for_writers_instead_of_failing():
    options = connection.settings_dict["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5


def test_locale_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ


@pytest.mark.django_db
def test_pages_load_nothing_from_other_hosts(client):
    import re

    body = client.get("/").content.decode() + client.get("/accounts/login/").content.decode()
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', body)
