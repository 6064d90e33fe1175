"""The lists of records behind each figure (drill-down pages, Excel exports, report sheets).

Each list is a queryset from monitoring.metrics (the same filters that produce the figure)
plus the columns to show. Personal data is masked: 身份证号 as stored masked, never decrypted.
Extra per-row facts are computed in SQL (subqueries), never by a query per row.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Subquery

from registry.models import Gender, StaffRole, TrainingCategory
from training.models import TrainingResult

from . import metrics as m
from .models import MetricKey


@dataclass
class RecordList:
    """One list: `row(obj)` gives the cells of a model instance (the paginated pages);
    `fields` + `value_row(tuple)` give the same cells from `.values_list(*fields)` (the
    exports and report sheets: ~5x cheaper per row than model instances on 100,000 rows)."""

    key: str
    part: str
    title: str
    headers: list
    queryset: object
    row: object  # obj -> list of cell values
    fields: tuple = ()
    value_row: object = None  # tuple of `fields` -> the same list of cell values

    def rows(self, chunk_size=5000):
        if self.fields:
            convert = self.value_row
            for values in self.queryset.values_list(*self.fields).iterator(chunk_size=chunk_size):
                yield convert(values)
            return
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


def _labels(choices):
    return {value: str(label) for value, label in choices.choices}


ROLE_LABELS = _labels(StaffRole)
CATEGORY_LABELS = _labels(TrainingCategory)
RESULT_LABELS = _labels(TrainingResult)
GENDER_LABELS = _labels(Gender)

RECORD_FIELDS = ("person__name", "person__id_number_masked", "category", "role", "provider__name", "county__name",
                 "course_name", "completion_date", "hours", "result")


def _record_values(v):
    return [v[0], v[1], CATEGORY_LABELS.get(v[2], v[2]), ROLE_LABELS.get(v[3], v[3]), v[4], v[5], v[6], _d(v[7]),
            float(v[8]), RESULT_LABELS.get(v[9], v[9])]


def _records(qs):
    return qs.select_related("person", "provider", "county").order_by("-completion_date", "pk")


def _record_list(key, part, title, qs):
    return RecordList(key, part, title, RECORD_HEADERS, _records(qs), _record_row, RECORD_FIELDS, _record_values)

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
        return _record_list(key, part, title, m.person_times_queryset(key, as_of, scope))
    if key == MetricKey.TALENTS:
        records = m.talents_records_queryset(as_of, scope)
        if part == "records":
            return _record_list(key, part, title, records)
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
            ("name", "id_number_masked", "gender", "passed_count", "first_date"),
            lambda v: [v[0], v[1], GENDER_LABELS.get(v[2], v[2]), v[3], _d(v[4])],
        )
    if key == MetricKey.CERTIFIED:
        if part == "certificates":
            qs = m.staff_certificates_queryset(as_of, scope).select_related("person", "type").order_by("person_id", "pk")
            return RecordList(
                key, part, title, ["持证人", "身份证号", "证书类型", "等级", "证书编号", "发证机构", "发证日期", "有效期至"], qs,
                lambda c: [c.person.name, c.person.id_number_masked, c.type.name, c.level, c.number, c.issuer,
                           _d(c.issue_date), _d(c.expiry_date) or "长期"],
                ("person__name", "person__id_number_masked", "type__name", "level", "number", "issuer", "issue_date",
                 "expiry_date"),
                lambda v: [v[0], v[1], v[2], v[3], v[4], v[5], _d(v[6]), _d(v[7]) or "长期"],
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
            ("name", "id_number_masked", "institution_name", "county_name", "staff_role", "certified", "valid_count"),
            lambda v: [v[0], v[1], v[2], v[3], ROLE_LABELS.get(v[4], v[4]), "是" if v[5] else "否", v[6] or 0],
        )
    # Knowledge survey: responses carry no personal data.
    headers = ["提交日期", "区县", "得分", "是否达到合格线"]
    qs = m.survey_queryset(as_of, scope)
    if qs is None:  # no survey app: an empty list
        from registry.models import Person

        return RecordList(key, part, title, headers, Person.objects.none(), lambda r: [])
    qs = qs.select_related("county").order_by("-submitted_at", "-pk")
    if part == "passed":
        qs = qs.filter(passed=True)
    return RecordList(
        key, part, title, headers, qs,
        lambda r: [_d(r.submitted_on), r.county.name, r.score, "是" if r.passed else "否"],
        ("submitted_on", "county__name", "score", "passed"),
        lambda v: [_d(v[0]), v[1], v[2], "是" if v[3] else "否"],
    )
