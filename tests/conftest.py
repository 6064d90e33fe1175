"""Shared fixtures: the personas of the access matrix (style.md, habit 3).

trainee_a / trainee_b, provider_a / provider_b (staff of two providers), county_x / county_y
(officials of 麒麟区 and 宣威市), commission, editor, and anonymous (the plain `client`).
"""

import pytest
from django.test import Client

from accounts.models import Role

from . import factories as f


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Every test starts with empty caches: rate-limit counters (verification lookups, logins),
    cached pages and figures of one test must not decide what the next one sees."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield


@pytest.fixture
def county_x_obj(db):
    return f.county("麒麟区")


@pytest.fixture
def county_y_obj(db):
    return f.county("宣威市")


@pytest.fixture
def provider_a_obj(county_x_obj):
    return f.ProviderFactory(name="曲靖医学高等专科学校", county=county_x_obj)


@pytest.fixture
def provider_b_obj(county_y_obj):
    return f.ProviderFactory(name="宣威市职业技术学校", county=county_y_obj)


@pytest.fixture
def personas(db, county_x_obj, county_y_obj, provider_a_obj, provider_b_obj):
    """One user per persona, keyed by persona name."""
    users = {
        "trainee_a": f.UserFactory(role=Role.TRAINEE, full_name="李小红"),
        "trainee_b": f.UserFactory(role=Role.TRAINEE, full_name="王大军"),
        "provider_a": f.UserFactory(role=Role.PROVIDER, provider=provider_a_obj),
        "provider_b": f.UserFactory(role=Role.PROVIDER, provider=provider_b_obj),
        "county_x": f.UserFactory(role=Role.COUNTY, county=county_x_obj),
        "county_y": f.UserFactory(role=Role.COUNTY, county=county_y_obj),
        "commission": f.UserFactory(role=Role.COMMISSION),
        "editor": f.UserFactory(role=Role.EDITOR),
    }
    return users


@pytest.fixture
def as_user():
    """as_user(user) -> a test client logged in as that user (None: anonymous)."""

    def make(user):
        client = Client()
        if user is not None:
            f.log_in(client, user)
        return client

    return make


def pytest_collection_modifyitems(items):
    """Transactional tests flush the database when they end, which would also remove the rows
    that data migrations create (the ten counties, certificate types, Wagtail's root and home
    pages). Make every transactional test restore them with serialized_rollback."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        fixtures = getattr(item, "fixturenames", ())
        if marker is None and ("live_server" in fixtures or "transactional_db" in fixtures):
            # live_server tests are transactional without saying so in a marker.
            item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True), append=False)
        elif marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}),
                append=False,
            )
