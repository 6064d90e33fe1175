"""Actions of the parents' site that must hold under concurrent requests."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ClassSignup, ParentClassPage, SurveyResponse
from .utils import client_ip


class ClassSignupError(Exception):
    pass


def sign_up(event, *, name, phone, age_band):
    """Sign a parent up for a class; capacity holds under concurrent sign-ups.

    The class row is locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises writers
    with BEGIN IMMEDIATE), so the count and the insert see the same state.
    """
    with transaction.atomic():
        locked = ParentClassPage.objects.select_for_update(of=("self",)).get(pk=event.pk)
        if not locked.is_open_for_signup():
            raise ClassSignupError("本次课堂已停止报名。")
        if ClassSignup.objects.filter(event=locked, phone=phone).exists():
            raise ClassSignupError("该手机号已报名本次课堂，无需重复报名。")
        if ClassSignup.objects.filter(event=locked).count() >= locked.capacity:
            raise ClassSignupError("名额已满，请关注其他场次的家长课堂。")
        try:
            with transaction.atomic():
                return ClassSignup.objects.create(event=locked, name=name, phone=phone, age_band=age_band)
        except IntegrityError:
            raise ClassSignupError("该手机号已报名本次课堂，无需重复报名。") from None


# --- Survey ----------------------------------------------------------------------------------


class SurveyRefused(Exception):
    def __init__(self, message, status=400):
        super().__init__(message)
        self.message = message
        self.status = status


def score_answers(survey, choices):
    """(correct, total) for {question number (str): picked option (int)}."""
    questions = survey.question_list()
    correct = sum(1 for number, q in questions if choices.get(str(number)) == q["correct_option"])
    return correct, len(questions)


def percent(correct, total):
    return round(correct * 100 / total) if total else 0


def passes(correct, total, pass_mark):
    # Integer comparison, not the rounded score: 7 of 9 (77.8 %) must not pass a mark of 78.
    return total > 0 and correct * 100 >= pass_mark * total


def _rate_limited(request):
    limit = getattr(settings, "CMS_SURVEY_IP_LIMIT", 30)
    window = getattr(settings, "CMS_SURVEY_IP_WINDOW", 3600)
    key = f"cms:survey:ip:{client_ip(request)}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def _client_key(request):
    if not request.session.session_key:
        request.session.save()
    raw = f"{settings.SECRET_KEY}:survey:{request.session.session_key}"
    return hashlib.sha256(raw.encode()).hexdigest()


def submit_survey(survey, request, cleaned_data, now=None):
    """Score and store one anonymous response; refuse ballot stuffing.

    One response per browser session per day (checked here and guaranteed by a unique
    constraint), and at most CMS_SURVEY_IP_LIMIT submissions per IP address per window.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    client_key = _client_key(request)
    if SurveyResponse.objects.filter(survey=survey, client_key=client_key, submitted_on=today).exists():
        raise SurveyRefused("您今天已经提交过这份问卷，感谢参与！明天可以再来测一测。")
    if _rate_limited(request):
        raise SurveyRefused("同一网络提交过于频繁，请稍后再试。", status=429)
    choices = {k: int(v) for k, v in cleaned_data["choices"].items()}
    correct, total = score_answers(survey, choices)
    try:
        with transaction.atomic():
            return SurveyResponse.objects.create(
                survey=survey,
                county=cleaned_data["county"],
                age_band=cleaned_data["age_band"],
                score=percent(correct, total),
                correct_count=correct,
                question_count=total,
                passed=passes(correct, total, survey.pass_mark),
                submitted_at=now,
                submitted_on=today,
                answers={"choices": choices, "pass_mark": survey.pass_mark},
                client_key=client_key,
            )
    except IntegrityError:
        raise SurveyRefused("您今天已经提交过这份问卷，感谢参与！明天可以再来测一测。") from None
