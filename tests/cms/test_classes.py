"""Parent classes: sign-up rules, the organiser's scoped sign-up list, the calendar file."""

import datetime
import threading

import pytest
from django.utils import timezone

from cms.models import ClassSignup
from cms.services import ClassSignupError, sign_up

from tests.factories_cms import SignupFactory, band, parent_class

pytestmark = pytest.mark.django_db


def signup_data(phone="13812345678", name="张丽", age="6-12m"):
    return {"name": name, "phone": phone, "age_band": str(band(age).pk)}


def test_sign_up_saves_a_normalised_phone(client):
    event = parent_class(capacity=5)
    response = client.post(event.url, signup_data(phone="+86 138-1234-5678"))
    assert response.status_code == 302
    signup = ClassSignup.objects.get()
    assert (signup.event_id, signup.name, signup.phone) == (event.pk, "张丽", "13812345678")
    assert "报名成功" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("phone", ["12345", "23812345678", "1381234567x", ""])
def test_invalid_phone_is_refused_and_nothing_saved(client, phone):
    event = parent_class()
    response = client.post(event.url, signup_data(phone=phone))
    assert response.status_code == 400
    html = response.content.decode()
    assert "手机号" in html
    assert not ClassSignup.objects.exists()


def test_missing_name_or_age_band_is_refused(client):
    event = parent_class()
    assert client.post(event.url, {**signup_data(), "name": "  "}).status_code == 400
    response = client.post(event.url, {**signup_data(), "age_band": "999"})
    assert response.status_code == 400 and "请选择有效的月龄段" in response.content.decode()
    assert not ClassSignup.objects.exists()


def test_over_capacity_is_refused_with_a_message(client):
    event = parent_class(capacity=2)
    assert client.post(event.url, signup_data(phone="13800000001")).status_code == 302
    assert client.post(event.url, signup_data(phone="13800000002")).status_code == 302
    full = client.post(event.url, signup_data(phone="13800000003"))
    assert full.status_code == 400
    assert "名额已满" in full.content.decode()
    assert ClassSignup.objects.filter(event=event).count() == 2


def test_same_phone_cannot_sign_up_twice(client):
    event = parent_class()
    client.post(event.url, signup_data())
    again = client.post(event.url, signup_data(name="张丽丽"))
    assert again.status_code == 400 and "已报名" in again.content.decode()
    assert ClassSignup.objects.count() == 1


def test_closed_or_past_class_refuses_sign_up():
    closed = parent_class(signup_open=False)
    past = parent_class(start=timezone.now() - datetime.timedelta(days=1))
    for event in (closed, past):
        with pytest.raises(ClassSignupError, match="停止报名"):
            sign_up(event, name="李", phone="13900000000", age_band=band("0-6m"))
    assert not ClassSignup.objects.exists()


# --- The organiser's list -------------------------------------------------------------------


@pytest.fixture
def event_in_qilin(personas):
    event = parent_class(county_name="麒麟区", organiser_user=personas["provider_a"])
    SignupFactory(event=event, name="陈红", phone="13711112222")
    return event


@pytest.mark.parametrize(
    "persona, status",
    [
        ("commission", 200),
        ("county_x", 200),  # official of 麒麟区, the class's county
        ("provider_a", 200),  # the organiser account
        ("county_y", 404),
        ("provider_b", 404),
        ("trainee_a", 404),
        ("editor", 404),
    ],
)
def test_signup_list_is_scoped(as_user, personas, event_in_qilin, persona, status):
    response = as_user(personas[persona]).get(f"/site/classes/{event_in_qilin.pk}/signups/")
    assert response.status_code == status
    if status == 200:
        assert "陈红" in response.content.decode() and "13711112222" in response.content.decode()


def test_signup_list_needs_login_and_an_existing_class(client, as_user, personas, event_in_qilin):
    response = client.get(f"/site/classes/{event_in_qilin.pk}/signups/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert as_user(personas["commission"]).get("/site/classes/999999/signups/").status_code == 404


def test_signup_csv_export(as_user, personas, event_in_qilin):
    SignupFactory(event=event_in_qilin, name="=HYPERLINK(1)", phone="13711113333")
    response = as_user(personas["county_x"]).get(f"/site/classes/{event_in_qilin.pk}/signups/", {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "陈红,13711112222" in text
    assert "'=HYPERLINK(1)" in text


def test_class_page_links_the_list_only_for_those_who_may_see_it(as_user, personas, event_in_qilin):
    assert "查看报名名单" in as_user(personas["county_x"]).get(event_in_qilin.url).content.decode()
    assert "查看报名名单" not in as_user(personas["county_y"]).get(event_in_qilin.url).content.decode()


# --- Calendar ---------------------------------------------------------------------------------


def test_ics_download(client):
    start = datetime.datetime(2026, 12, 20, 9, 30, tzinfo=timezone.get_current_timezone())
    event = parent_class("宝宝睡眠, 家长课堂", start=start)
    response = client.get(f"/site/classes/{event.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "DTSTART:20261220T013000Z" in body  # 09:30 in Asia/Shanghai
    assert "SUMMARY:家长课堂：宝宝睡眠\\, 家长课堂" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert client.get("/site/classes/999999/calendar.ics").status_code == 404


def test_class_list_filters_by_county(client):
    from tests.factories_cms import class_index

    parent_class("麒麟区的课", county_name="麒麟区")
    parent_class("宣威市的课", county_name="宣威市")
    from registry.models import County

    xuanwei = County.objects.get(name="宣威市")
    response = client.get(class_index().url, {"county": xuanwei.pk})
    assert [c.title for c in response.context["page_obj"]] == ["宣威市的课"]
    assert client.get(class_index().url, {"county": "abc"}).status_code == 404


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_capacity_holds_under_concurrent_sign_ups():
    event = parent_class(capacity=3)
    age = band("1-2y")
    outcomes = []
    barrier = threading.Barrier(8)

    def attempt(n):
        from django.db import connections

        try:
            barrier.wait()
            sign_up(event, name=f"家长{n}", phone=f"1390000000{n}", age_band=age)
            outcomes.append("ok")
        except ClassSignupError:
            outcomes.append("full")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 3 and outcomes.count("full") == 5
    assert ClassSignup.objects.filter(event=event).count() == 3
