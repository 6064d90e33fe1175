"""A trainee claims their practitioner record by name and 身份证号."""

import pytest

from registry.models import Person
from registry.services import CLAIM_FAILED

from tests import factories as f


@pytest.fixture
def roster_person(db):
    p = Person(name="李小红")
    p.id_number = "530381198506151231"
    p.save()
    return p


def post_claim(client, name, number):
    return client.post("/registry/claim/", {"name": name, "id_number": number})


def test_claim_links_the_record(roster_person, as_user):
    user = f.UserFactory(full_name="")
    client = as_user(user)
    response = post_claim(client, "李小红", "530381198506151231")
    assert response.status_code == 302
    roster_person.refresh_from_db()
    assert roster_person.user == user
    user.refresh_from_db()
    assert user.full_name == "李小红"
    # the portal now shows the record, masked
    assert "5303**********1231" in client.get("/me/").content.decode()


@pytest.mark.parametrize(
    "name, number",
    [
        ("李小明", "530381198506151231"),  # right number, wrong name
        ("李小红", "11010519491231002X"),  # a valid number nobody has
    ],
)
def test_mismatch_does_not_reveal_whether_the_number_exists(roster_person, as_user, name, number):
    response = post_claim(as_user(f.UserFactory()), name, number)
    assert response.status_code == 400
    assert CLAIM_FAILED in response.content.decode()
    roster_person.refresh_from_db()
    assert roster_person.user is None


def test_already_claimed_record_gives_the_same_answer(roster_person, as_user):
    roster_person.user = f.UserFactory()
    roster_person.save()
    response = post_claim(as_user(f.UserFactory()), "李小红", "530381198506151231")
    assert response.status_code == 400
    assert CLAIM_FAILED in response.content.decode()


def test_invalid_number_gets_a_clear_message(roster_person, as_user):
    response = post_claim(as_user(f.UserFactory()), "李小红", "530381198506151232")
    assert response.status_code == 400
    assert "校验位" in response.content.decode()


def test_only_trainees_claim(roster_person, personas, as_user, client):
    assert client.get("/registry/claim/").status_code == 302  # anonymous → login
    assert as_user(personas["provider_a"]).get("/registry/claim/").status_code == 403
    assert as_user(personas["commission"]).post(
        "/registry/claim/", {"name": "李小红", "id_number": "530381198506151231"}
    ).status_code == 403


def test_attempts_are_limited(roster_person, as_user):
    client = as_user(f.UserFactory())
    for _ in range(10):
        post_claim(client, "王五", "11010519491231002X")
    response = post_claim(client, "李小红", "530381198506151231")
    assert response.status_code == 429
    roster_person.refresh_from_db()
    assert roster_person.user is None


@pytest.mark.parametrize(
    "persona, links",
    [
        ("provider_a", ["/training/", "/imports/"]),
        ("commission", ["/dashboard/", "/imports/"]),
        ("county_x", ["/dashboard/"]),
    ],
)
def test_portal_leads_each_role_to_its_work(personas, as_user, persona, links):
    body = as_user(personas[persona]).get("/me/").content.decode()
    for link in links:
        assert f'href="{link}' in body, link


def test_portal_of_a_trainee_with_a_record(roster_person, as_user):
    user = f.UserFactory()
    roster_person.user = user
    roster_person.save()
    body = as_user(user).get("/me/").content.decode()
    assert "我的培训" in body and "我的证书" in body
