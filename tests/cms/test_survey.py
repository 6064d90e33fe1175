"""The knowledge survey: scoring, validation, ballot-stuffing protection, and the figures
monitoring reads for parenting_knowledge_rate (metrics.md)."""

import datetime

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from cms.models import SurveyResponse
from cms.services import passes, percent, score_answers
from registry.models import County

from tests.factories_cms import QUESTIONS, SurveyResponseFactory, band, clear_cache, survey_page, survey_post  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clear_cache")]

ALL_RIGHT = {i: q[2] for i, q in enumerate(QUESTIONS, start=1)}


@pytest.fixture
def survey():
    return survey_page(pass_mark=80)


@pytest.fixture
def qilin():
    return County.objects.get(name="麒麟区")


def test_scoring_counts_correct_options(survey):
    assert score_answers(survey, {str(k): v for k, v in ALL_RIGHT.items()}) == (5, 5)
    three_right = {**{str(k): v for k, v in ALL_RIGHT.items()}, "1": 1, "2": 3}
    assert score_answers(survey, three_right) == (3, 5)
    assert percent(3, 5) == 60 and percent(2, 3) == 67


def test_pass_mark_is_compared_exactly_not_after_rounding():
    assert passes(4, 5, 80)
    assert not passes(3, 5, 80)
    # 7 of 9 is 77.8 %: rounds to 78 but does not reach a pass mark of 78.
    assert percent(7, 9) == 78 and not passes(7, 9, 78)
    assert not passes(0, 0, 80)


def test_submitting_stores_an_anonymous_scored_response_and_shows_explanations(client, survey, qilin):
    answers = {**ALL_RIGHT, 2: 2}  # question 2 wrong
    response = client.post(survey.url, survey_post(qilin, "1-2y", answers))
    assert response.status_code == 302
    saved = SurveyResponse.objects.get()
    assert (saved.county, saved.age_band, saved.correct_count, saved.question_count) == (qilin, band("1-2y"), 4, 5)
    assert saved.score == 80 and saved.passed is True
    assert saved.answers["choices"]["2"] == 2
    assert saved.submitted_on == timezone.localdate()
    result = client.get(response["Location"])
    html = result.content.decode()
    assert "80 分" in html
    assert "仰卧睡可降低婴儿猝死综合征风险" in html  # the explanation of the missed question
    assert "正确答案：仰卧" in html


def test_below_pass_mark_is_stored_as_not_passed(client, survey, qilin):
    client.post(survey.url, survey_post(qilin, answers={**ALL_RIGHT, 1: 1, 3: 1}))
    saved = SurveyResponse.objects.get()
    assert saved.score == 60 and saved.passed is False


def test_result_page_shows_only_your_own_result(client, survey, qilin):
    client.post(survey.url, survey_post(qilin))
    other = Client()
    html = other.get(survey.url + "?result=1").content.decode()
    assert "您的得分" not in html and "提交答卷" in html


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("q3"), "请回答第 3 题"),
        (lambda d: d.update(q2="9"), "第 2 题的答案不在选项范围内"),
        (lambda d: d.update(q1="abc"), "第 1 题的答案不在选项范围内"),
        (lambda d: d.pop("county"), "请选择您所在的区县"),
        (lambda d: d.update(county="999999"), "请选择有效的区县"),
        (lambda d: d.update(age_band="x"), "请选择有效的月龄段"),
    ],
)
def test_bad_submissions_are_refused_with_a_message_and_nothing_saved(client, survey, qilin, mutate, message):
    data = survey_post(qilin)
    mutate(data)
    response = client.post(survey.url, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_one_response_per_browser_session_per_day(client, survey, qilin):
    assert client.post(survey.url, survey_post(qilin)).status_code == 302
    again = client.post(survey.url, survey_post(qilin))
    assert again.status_code == 400
    assert "今天已经提交过" in again.content.decode()
    assert SurveyResponse.objects.count() == 1
    # Another browser (another session) may answer.
    assert Client().post(survey.url, survey_post(qilin)).status_code == 302
    assert SurveyResponse.objects.count() == 2


def test_same_session_may_answer_again_the_next_day(client, survey, qilin):
    client.post(survey.url, survey_post(qilin))
    SurveyResponse.objects.update(
        submitted_on=timezone.localdate() - datetime.timedelta(days=1),
        submitted_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert client.post(survey.url, survey_post(qilin)).status_code == 302
    assert SurveyResponse.objects.count() == 2


@override_settings(CMS_SURVEY_IP_LIMIT=3)
def test_rate_limit_per_ip_address(survey, qilin):
    for _ in range(3):
        assert Client(REMOTE_ADDR="10.1.1.1").post(survey.url, survey_post(qilin)).status_code == 302
    blocked = Client(REMOTE_ADDR="10.1.1.1").post(survey.url, survey_post(qilin))
    assert blocked.status_code == 429
    assert "提交过于频繁" in blocked.content.decode()
    # A forged X-Forwarded-For does not get around it.
    forged = Client(REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR="1.2.3.4").post(survey.url, survey_post(qilin))
    assert forged.status_code == 429
    assert Client(REMOTE_ADDR="10.2.2.2").post(survey.url, survey_post(qilin)).status_code == 302
    assert SurveyResponse.objects.count() == 4


def test_pass_mark_change_does_not_rewrite_past_responses(client, survey, qilin):
    client.post(survey.url, survey_post(qilin, answers={**ALL_RIGHT, 1: 1}))  # 80 %
    survey.pass_mark = 90
    survey.save_revision().publish()
    assert SurveyResponse.objects.get().passed is True


def test_figures_behind_parenting_knowledge_rate():
    """What monitoring computes: responses of D's calendar year up to D, by county, share passed."""
    qilin, xuanwei = County.objects.get(name="麒麟区"), County.objects.get(name="宣威市")
    tz = timezone.get_current_timezone()

    def at(y, m, d, h=12):
        return datetime.datetime(y, m, d, h, tzinfo=tz)

    SurveyResponseFactory(county=qilin, passed=True, submitted_at=at(2025, 1, 1, 0))
    SurveyResponseFactory(county=qilin, passed=False, score=40, correct_count=2, submitted_at=at(2025, 6, 30, 23))
    SurveyResponseFactory(county=qilin, passed=True, submitted_at=at(2025, 7, 1))  # after D
    SurveyResponseFactory(county=qilin, passed=True, submitted_at=at(2024, 12, 31, 23))  # previous year
    SurveyResponseFactory(county=xuanwei, passed=True, submitted_at=at(2025, 3, 1))

    as_of = datetime.date(2025, 6, 30)
    year = SurveyResponse.objects.submitted_between(datetime.date(as_of.year, 1, 1), as_of)
    assert year.count() == 3
    assert year.filter(passed=True).count() == 2
    in_qilin = year.filter(county=qilin)
    assert (in_qilin.filter(passed=True).count(), in_qilin.count()) == (1, 2)


def test_survey_page_renders_questions_and_counties(client, survey):
    html = client.get(survey.url).content.decode()
    assert "纯母乳喂养的宝宝一般从几个月开始添加辅食" in html
    assert "曲靖经开区" in html and "0–6 个月" in html
    assert html.count('type="radio"') == sum(len(q[1]) for q in QUESTIONS)


def test_web_submissions_feed_the_monitoring_metric(survey, qilin):
    """End to end: answers given on the site are what parenting_knowledge_rate counts."""
    from monitoring import metrics  # the metric lives above cms; only this end-to-end test needs it
    xuanwei = County.objects.get(name="宣威市")
    Client(REMOTE_ADDR="10.0.0.1").post(survey.url, survey_post(qilin))  # 100 %
    Client(REMOTE_ADDR="10.0.0.2").post(survey.url, survey_post(qilin, answers={**ALL_RIGHT, 1: 1, 2: 2}))  # 60 %
    Client(REMOTE_ADDR="10.0.0.3").post(survey.url, survey_post(xuanwei))
    today = timezone.localdate()
    county_value = metrics.parenting_knowledge_rate(today, metrics.Scope(qilin))
    assert (county_value.numerator, county_value.denominator) == (1, 2)
    assert county_value.actual == 0.5
    city_value = metrics.parenting_knowledge_rate(today, metrics.CITY)
    assert (city_value.numerator, city_value.denominator) == (2, 3)
