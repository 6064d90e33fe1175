"""Crafted data for the monitoring tests: every clause of metrics.md has a record that tests it.

`crafted()` builds the small world below and returns the objects by name; the expected figures
are computed by hand in the comments and asserted in tests/monitoring/test_metrics.py.
D = 2025-06-30 unless noted. X = 麒麟区, Y = 宣威市.
"""

import datetime
from zoneinfo import ZoneInfo

from certification.models import CertificateType, ReviewStatus
from registry.models import RegistrationStatus, StaffRole, TrainingCategory
from training.models import TrainingResult

from . import factories as f
from .factories_certification import CertificateFactory, ExternalCertificateFactory
from .factories_training import TrainingRecordFactory

D = datetime.date(2025, 6, 30)
SHANGHAI = ZoneInfo("Asia/Shanghai")

# Hand-computed figures at D (see crafted()).
EXPECTED = {
    "city": {"director": 2, "caregiver": 4, "talents": 4, "certified": (4, 9), "survey": (2, 3)},
    "麒麟区": {"director": 2, "caregiver": 2, "talents": 3, "certified": (3, 8), "survey": (2, 3)},
    "宣威市": {"director": 0, "caregiver": 2, "talents": 2, "certified": (2, 2), "survey": (0, 0)},
    "会泽县": {"director": 0, "caregiver": 0, "talents": 0, "certified": (0, 0), "survey": (0, 0)},
}


def d(y, m, day):
    return datetime.date(y, m, day)


def record(person, county, role, completion, result=TrainingResult.PASSED, category=TrainingCategory.CAREGIVER):
    return TrainingRecordFactory(
        person=person, county=county, role=role, completion_date=completion, result=result, category=category,
        course_name=f"{role}-{completion}-{category}",
    )


def crafted(with_survey=True):
    x, y = f.county("麒麟区"), f.county("宣威市")
    people = {f"p{i}": f.PersonFactory() for i in range(1, 11)}
    p = people
    # --- training records --------------------------------------------------------------
    record(p["p1"], x, StaffRole.DIRECTOR, D)  # end bound inclusive: director X
    record(p["p1"], x, StaffRole.CAREGIVER, d(2025, 3, 3))  # caregiver X; p1 still one talent
    record(p["p2"], x, StaffRole.DIRECTOR, d(2024, 1, 1))  # start bound inclusive: director X (talent of 2024)
    record(p["p3"], x, StaffRole.DIRECTOR, d(2023, 12, 31))  # before the plan: nothing
    record(p["p4"], x, StaffRole.DIRECTOR, d(2025, 1, 10), result=TrainingResult.FAILED)  # 不合格: nothing
    record(p["p5"], x, StaffRole.DIRECTOR, d(2025, 7, 1))  # after D: nothing
    record(p["p6"], y, StaffRole.CAREGIVER, d(2025, 3, 1))  # caregiver Y
    record(p["p7"], x, StaffRole.HEALTH, d(2024, 5, 5))  # 保健人员 counts as caregiver X (talent of 2024)
    record(p["p8"], x, StaffRole.OTHER, d(2025, 2, 2))  # 其他: no person-time, but a talent
    record(p["p9"], x, StaffRole.OTHER, d(2025, 2, 1), category=TrainingCategory.COLLEGE)  # 院校培养 talent X
    record(p["p9"], y, StaffRole.CAREGIVER, d(2025, 4, 1), category=TrainingCategory.UPSKILL)  # caregiver Y; talent Y
    record(p["p10"], x, StaffRole.CAREGIVER, d(2025, 5, 5), result=TrainingResult.FAILED)  # 不合格 only
    # director: city p1,p2 = 2 (X 2). caregiver: p1,p7 (X) + p6,p9 (Y) = 4.
    # talents 2025 up to D: p1,p8,p9 (X) = 3; p6,p9 (Y) = 2; city p1,p6,p8,p9 = 4.

    # --- staff and certificates ---------------------------------------------------------
    inst_x = f.InstitutionFactory(county=x, registration_date=d(2023, 6, 1))
    inst_x_late = f.InstitutionFactory(county=x, registration_date=d(2025, 7, 1))  # registered after D
    inst_x_unreg = f.InstitutionFactory(
        county=x, registration_status=RegistrationStatus.UNREGISTERED, registration_date=None
    )
    inst_y = f.InstitutionFactory(county=y, registration_date=D)  # registered on D: counts

    def staff(name, institution, role=StaffRole.CAREGIVER, start=d(2024, 1, 1), end=None):
        person = f.PersonFactory(name=name)
        f.EmploymentFactory(person=person, institution=institution, role=role, start_date=start, end_date=end)
        return person

    s = {}
    s["s1"] = staff("甲一", inst_x, start=D)  # starts on D: staff
    CertificateFactory(person=s["s1"], issue_date=d(2025, 1, 1), expiry_date=None)  # certified
    s["s2"] = staff("甲二", inst_x, role=StaffRole.DIRECTOR, end=D)  # ends on D: staff
    CertificateFactory(person=s["s2"], issue_date=d(2024, 1, 1), revoked_on=D, revoke_reason="测试")  # revoked on D
    s["s3"] = staff("甲三", inst_x, role=StaffRole.HEALTH, end=d(2025, 6, 29))  # ended before D
    CertificateFactory(person=s["s3"], issue_date=d(2024, 1, 1))
    s["s4"] = staff("甲四", inst_x, role=StaffRole.OTHER)  # 其他: not staff
    CertificateFactory(person=s["s4"], issue_date=d(2024, 1, 1))
    s["s5"] = staff("甲五", inst_x_late)  # institution registered after D
    CertificateFactory(person=s["s5"], issue_date=d(2024, 1, 1))
    s["s6"] = staff("甲六", inst_x_unreg)  # institution not registered
    s["s7"] = staff("乙七", inst_y)  # Y, institution registered on D
    CertificateFactory(person=s["s7"], issue_date=d(2022, 7, 1), expiry_date=D)  # expires on D: counts
    s["s8"] = staff("甲八", inst_x, start=d(2025, 7, 1))  # starts after D
    s["s9"] = staff("甲九", inst_x)
    CertificateFactory(person=s["s9"], issue_date=d(2022, 6, 29), expiry_date=d(2025, 6, 29))  # expired
    s["s10"] = staff("甲十", inst_x)
    CertificateFactory(person=s["s10"], issue_date=d(2025, 7, 1), expiry_date=None)  # issued after D
    s["s11"] = staff("甲十一", inst_x)
    CertificateFactory(person=s["s11"], issue_date=d(2024, 1, 1), revoked_on=d(2025, 7, 1), revoke_reason="测试")
    s["s12"] = staff("甲十二", inst_x)  # also director in Y: once for the city, once in each county
    f.EmploymentFactory(person=s["s12"], institution=inst_y, role=StaffRole.DIRECTOR, start_date=d(2024, 3, 1))
    CertificateFactory(person=s["s12"], issue_date=d(2024, 1, 1))
    CertificateFactory(person=s["s12"], issue_date=d(2024, 2, 1))  # two certificates: still one person
    s["s13"] = staff("甲十三", inst_x)
    ExternalCertificateFactory(person=s["s13"], issue_date=d(2024, 1, 1), review_status=ReviewStatus.PENDING)
    s["s14"] = staff("甲十四", inst_x)
    not_counting, _ = CertificateType.objects.get_or_create(name="急救培训证", defaults={"counts_toward_rate": False})
    CertificateFactory(person=s["s14"], type=not_counting, issue_date=d(2024, 1, 1))
    # staff city: s1 s2 s7 s9 s10 s11 s12 s13 s14 = 9; certified s1 s7 s11 s12 = 4.
    # X: s1 s2 s9 s10 s11 s12 s13 s14 = 8, certified s1 s11 s12 = 3. Y: s7 s12 = 2, both certified.

    if with_survey:
        from .factories_cms import SurveyResponseFactory

        def at(y_, m, day, hh, mm):
            return datetime.datetime(y_, m, day, hh, mm, tzinfo=SHANGHAI)

        SurveyResponseFactory(county=x, passed=True, submitted_at=at(2025, 1, 1, 0, 10))  # first local day
        SurveyResponseFactory(county=x, passed=False, submitted_at=at(2025, 3, 1, 12, 0))
        SurveyResponseFactory(county=x, passed=True, submitted_at=at(2025, 6, 30, 23, 59))  # D, local evening
        SurveyResponseFactory(county=x, passed=True, submitted_at=at(2024, 12, 31, 23, 50))  # last year
        SurveyResponseFactory(county=x, passed=True, submitted_at=at(2025, 7, 1, 0, 1))  # after D (local)
        # X: 2 passed of 3; Y: none → undefined.
    return {"x": x, "y": y, **people, **s}
