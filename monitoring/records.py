"""The lists of records behind each figure (drill-down pages, Excel exports, report sheets).

Each list is a queryset from monitoring.metrics (the same filters that produce the figure)
plus the columns to show. Personal data is masked: 身份证号 as stored masked, never decrypted.
Extra per-row facts are computed in SQL (subqueries), never by a query per row.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Subquery

from registry.models import StaffRole

from . import metrics as m
from .models import MetricKey


@dataclass
class RecordList:
    key: str
    part: str
    title: str
    headers: list
    queryset: object
    row: object  # obj -> list of cell values

    def rows(self, chunk_size=2000):
        for obj in self.queryset.iterator(chunk_size=chunk_size):
            yield self.row(obj)


def _d(value):
    return value.strftime("%Y-%m-%d") if value else ""


RECORD_HEADERS = ["姓名", "身份证号", "培训类别", "培训对象", "培训机构", "区县", "课程名称", "结业日期", "学时", "考核结果"]


def _record_row(r):
    return [
        r.person.name, r.person.id_number_masked, r.get_category_display(), r.get_role_display(), r.provider.name,
        r.county.name, r.course_name, _d(r.completion_date), float(r.hours), r.get_result_display(),
    ]


def _records(qs):
    return qs.select_related("person", "provider", "county").order_by("-completion_date", "pk")


ROLE_LABELS = dict(StaffRole.choices)

# Which parts each metric offers, with their titles; the first is the default.
PARTS = {
    MetricKey.DIRECTOR: {"records": "计入的培训记录（合格，培训对象为机构负责人）"},
    MetricKey.CAREGIVER: {"records": "计入的培训记录（合格，培训对象为保育人员或保健人员）"},
    MetricKey.TALENTS: {"persons": "年度培养的托育人才（去重人员）", "records": "年内合格培训记录"},
    MetricKey.CERTIFIED: {
        "staff": "从业人员（分母）",
        "certified": "持证从业人员（分子）",
        "uncertified": "未持证从业人员",
        "certificates": "计入的有效证书",
    },
    MetricKey.PARENTING: {"responses": "问卷答卷（分母）", "passed": "达到合格线的答卷（分子）"},
}


def parts_for(key):
    return PARTS[MetricKey(key)]


def record_list(key, part, as_of, scope):
    """The RecordList of `part` of metric `key` at D in S; raises KeyError for an unknown part."""
    key = MetricKey(key)
    parts = PARTS[key]
    part = part or next(iter(parts))
    title = parts[part]
    if key in (MetricKey.DIRECTOR, MetricKey.CAREGIVER):
        return RecordList(key, part, title, RECORD_HEADERS, _records(m.person_times_queryset(key, as_of, scope)), _record_row)
    if key == MetricKey.TALENTS:
        records = m.talents_records_queryset(as_of, scope)
        if part == "records":
            return RecordList(key, part, title, RECORD_HEADERS, _records(records), _record_row)
        of_person = records.filter(person_id=OuterRef("pk")).order_by().values("person_id")
        qs = (
            m.talents_persons_queryset(as_of, scope)
            .annotate(
                passed_count=Subquery(of_person.annotate(c=Count("pk")).values("c")[:1]),
                first_date=Subquery(of_person.annotate(f=Min("completion_date")).values("f")[:1]),
            )
            .order_by("first_date", "pk")
        )
        return RecordList(
            key, part, title, ["姓名", "身份证号", "性别", f"{as_of.year}年合格培训次数", "首次合格结业日期"], qs,
            lambda p: [p.name, p.id_number_masked, p.get_gender_display(), p.passed_count, _d(p.first_date)],
        )
    if key == MetricKey.CERTIFIED:
        if part == "certificates":
            qs = m.staff_certificates_queryset(as_of, scope).select_related("person", "type").order_by("person_id", "pk")
            return RecordList(
                key, part, title, ["持证人", "身份证号", "证书类型", "等级", "证书编号", "发证机构", "发证日期", "有效期至"], qs,
                lambda c: [c.person.name, c.person.id_number_masked, c.type.name, c.level, c.number, c.issuer,
                           _d(c.issue_date), _d(c.expiry_date) or "长期"],
            )
        staff = m.staff_employments(as_of, scope).filter(person_id=OuterRef("pk")).order_by("institution__name", "pk")
        valid = m.valid_certificates(as_of).filter(person_id=OuterRef("pk"))
        qs = m.staff_persons_queryset(as_of, scope).annotate(
            institution_name=Subquery(staff.values("institution__name")[:1]),
            county_name=Subquery(staff.values("institution__county__name")[:1]),
            staff_role=Subquery(staff.values("role")[:1]),
            certified=Exists(valid),
            valid_count=Subquery(valid.order_by().values("person_id").annotate(c=Count("pk")).values("c")[:1]),
        )
        if part == "certified":
            qs = qs.filter(certified=True)
        elif part == "uncertified":
            qs = qs.filter(certified=False)
        qs = qs.order_by("county_name", "institution_name", "name", "pk")
        return RecordList(
            key, part, title, ["姓名", "身份证号", "任职机构", "区县", "岗位", "是否持证", "有效证书数"], qs,
            lambda p: [p.name, p.id_number_masked, p.institution_name, p.county_name,
                       ROLE_LABELS.get(p.staff_role, p.staff_role), "是" if p.certified else "否", p.valid_count or 0],
        )
    # Knowledge survey: responses carry no personal data.
    qs = m.survey_queryset(as_of, scope)
    if qs is None:
        from registry.models import Person

        qs = Person.objects.none()
    else:
        qs = qs.select_related("county").order_by("-submitted_at", "-pk")
        if part == "passed":
            qs = qs.filter(passed=True)
    return RecordList(
        key, part, title, ["提交日期", "区县", "得分", "是否达到合格线"], qs,
        lambda r: [_d(r.submitted_on), r.county.name, r.score, "是" if r.passed else "否"],
    )
