"""Self check-in by a rotating QR code."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from training import checkin
from training.models import Attendance, AttendanceStatus, EnrollmentStatus

from tests import factories as f
from tests import factories_training as ft

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
# The factory's session: 2026-03-02, 09:00–13:00 Shanghai time.
AT_START = datetime.datetime(2026, 3, 2, 9, 5, tzinfo=SH)


@pytest.fixture
def setup(personas):
    run = ft.RunFactory(provider=personas["provider_a"].provider)
    session = ft.SessionFactory(run=run)
    person = f.PersonFactory(user=personas["trainee_a"])
    enrollment = ft.EnrollmentFactory(run=run, person=person)
    return run, session, enrollment


def _url(session, at):
    return reverse("training:checkin", args=[session.pk, checkin.code_for(session, at)])


def test_code_rotates_and_old_codes_expire(setup):
    _, session, _ = setup
    code = checkin.code_for(session, AT_START)
    assert checkin.code_is_valid(session, code, AT_START + datetime.timedelta(seconds=30))
    assert not checkin.code_is_valid(session, code, AT_START + datetime.timedelta(minutes=2))
    assert checkin.code_for(session, AT_START + datetime.timedelta(minutes=2)) != code


def test_enrolled_trainee_checks_in_during_the_session(setup, personas, as_user):
    _, session, enrollment = setup
    client = as_user(personas["trainee_a"])
    with time_machine.travel(AT_START, tick=False):
        url = _url(session, AT_START)
        assert client.get(url).status_code == 200
        assert not Attendance.objects.exists()  # GET only shows the confirm button
        assert client.post(url).status_code == 302
    assert Attendance.objects.get(enrollment=enrollment).status == AttendanceStatus.PRESENT


def test_late_check_in_counts_as_late(setup, personas, as_user):
    _, session, enrollment = setup
    late = AT_START + datetime.timedelta(minutes=30)
    with time_machine.travel(late, tick=False):
        as_user(personas["trainee_a"]).post(_url(session, late))
    assert Attendance.objects.get(enrollment=enrollment).status == AttendanceStatus.LATE


def test_expired_code_or_outside_the_window_is_refused(setup, personas, as_user):
    _, session, _ = setup
    client = as_user(personas["trainee_a"])
    old_url = _url(session, AT_START)
    with time_machine.travel(AT_START + datetime.timedelta(minutes=5), tick=False):
        response = client.post(old_url)
        assert response.status_code == 400 and "过期" in response.content.decode()
    after = datetime.datetime(2026, 3, 2, 14, 0, tzinfo=SH)
    with time_machine.travel(after, tick=False):
        response = client.post(_url(session, after))
        assert response.status_code == 400 and "签到时间" in response.content.decode()
    assert not Attendance.objects.exists()


def test_trainee_not_in_the_run_cannot_check_in(setup, personas, as_user):
    run, session, _ = setup
    other = f.PersonFactory(user=personas["trainee_b"])
    ft.EnrollmentFactory(run=run, person=other, status=EnrollmentStatus.PENDING, approved_at=None, approved_on=None)
    with time_machine.travel(AT_START, tick=False):
        response = as_user(personas["trainee_b"]).post(_url(session, AT_START))
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_qr_screen_is_for_the_runs_provider_only(setup, personas, as_user):
    run, session, _ = setup
    url = reverse("training:checkin_display", args=[run.pk, session.pk])
    with time_machine.travel(AT_START, tick=False):
        response = as_user(personas["provider_a"]).get(url)
        assert response.status_code == 200 and "<svg" in response.content.decode()
        assert as_user(personas["provider_b"]).get(url).status_code == 404
        assert as_user(personas["county_x"]).get(url).status_code == 403
