"""Import kind `training` (培训记录): historical, external or offline trainings (interfaces.md).

A record is identified by person + 培训类别 + 培训机构 + 结业日期 + 课程名称 (the database's
`trainingrecord_import_identity` constraint), so importing the same file twice counts nothing
twice. A 培训机构 not yet known is created, marked as imported.
"""

from types import SimpleNamespace

from core.imports import parsers
from core.imports.bulk import bulk_insert
from core.imports.engine import CHANGED, NEW, UNCHANGED, Column, Importer
from core.imports.kinds import register
from registry.importers import PersonIndex, filter_in, parse_county, person_columns
from registry.models import ProviderKind, StaffRole, TrainingCategory, TrainingProvider

from .models import RecordSource, TrainingRecord, TrainingResult

# Fields of an imported record that a later file may correct.
UPDATABLE = ("role", "county_id", "start_date", "hours", "result")


@register
class TrainingImporter(Importer):
    kind = "training"
    title = "培训记录"
    columns = [
        *person_columns(),
        Column("培训类别", "category", parsers.choice(TrainingCategory), required=True, example="保育人员培训"),
        Column("培训对象", "role", parsers.choice(StaffRole), required=True, example="保育人员"),
        Column("课程名称", "course_name", parsers.text(200), example="保育人员岗位培训（2024年第1期）"),
        Column("培训机构", "provider_name", parsers.text(100), required=True, example="曲靖医学高等专科学校"),
        Column("区县", "county", parse_county, required=True, example="麒麟区"),
        Column("开始日期", "start_date", parsers.date, example="2024-03-01"),
        Column("结业日期", "completion_date", parsers.date, required=True, example="2024-03-20"),
        # More than 2,000 hours is not a training but a typo (院校培养 is counted in records too).
        Column("学时", "hours", parsers.number(0, 2000, places=1, positive=True), required=True, example=120),
        Column("考核结果", "result", parsers.choice(TrainingResult), required=True, example="合格"),
    ]
    notes = [
        "一条培训记录以“身份证号 + 培训类别 + 培训机构 + 结业日期 + 课程名称”识别，重复导入不会重复计数。",
        "培训机构填写机构全称；系统中尚无的培训机构将自动新建（标记为“由导入创建”）。",
        "培训机构账号只能导入本机构的培训记录；区县账号只能导入本区县的培训记录。",
    ]

    def prepare(self, rows, ctx):
        self.persons = PersonIndex(rows)
        names = {row["provider_name"] for row in rows if row.ok and row["provider_name"]}
        self.providers = {p.name: p for p in filter_in(TrainingProvider.objects.all(), "name", names)}
        self.new_providers = {}
        person_ids = {p.pk for p in self.persons.existing.values()}
        self.records = {}
        if person_ids:
            queryset = TrainingRecord.objects.filter(source=RecordSource.IMPORTED)
            for record in filter_in(queryset, "person_id", person_ids):
                key = (record.person_id, record.category, record.provider_id, record.completion_date, record.course_name)
                self.records[key] = record
        self.seen = {}

    def _provider(self, name):
        provider = self.providers.get(name)
        if provider is None:
            provider = self.new_providers.get(name)
            if provider is None:
                provider = self.new_providers[name] = TrainingProvider(
                    name=name, kind=ProviderKind.OTHER, imported=True, approved=False
                )
        return provider

    def check(self, row, ctx):
        county = row["county"]
        if message := ctx.scope.county_error(county):
            row.error("county", message)
            return
        if message := ctx.scope.provider_error(row["provider_name"]):
            row.error("provider_name", message)
            return
        start, completion = row["start_date"], row["completion_date"]
        if completion > ctx.today:
            row.error("completion_date", "结业日期不能晚于今天。")
            return
        if start and start > completion:
            row.error("start_date", "开始日期不能晚于结业日期。")
            return
        person = self.persons.resolve(row)
        if person is None:
            return
        provider = self._provider(row["provider_name"])
        course = row["course_name"] or ""
        key = (row["id_number"], row["category"], row["provider_name"], completion, course)
        if key in self.seen:
            row.error("completion_date", f"与第 {self.seen[key]} 行是同一条培训记录，请删除重复行。")
            return
        self.seen[key] = row.number

        values = {
            "role": row["role"], "county_id": county.pk, "start_date": start,
            "hours": row["hours"], "result": row["result"],
        }
        existing = None
        if person.pk is not None and provider.pk is not None:
            existing = self.records.get((person.pk, row["category"], provider.pk, completion, course))
        if existing is None:
            row.status = NEW
            row.plan = (person, provider, values, None)
            return
        changes = {f: v for f, v in values.items() if getattr(existing, f) != v}
        row.status = CHANGED if changes else UNCHANGED
        row.plan = (person, provider, changes, existing)

    def summary(self, rows):
        lines = self.persons.summary(rows)
        providers = sorted({row.plan[1].name for row in rows if row.plan[1].pk is None})
        if providers:
            lines.append(f"将新建培训机构 {len(providers)} 个（标记为由导入创建）：" + "、".join(providers) + "。")
        return lines

    def save(self, rows, ctx):
        self.persons.save([row.plan[0] for row in rows])
        needed = {id(row.plan[1]): row.plan[1] for row in rows if row.plan[1].pk is None}
        # Few new providers per file; bulk_create returns their keys.
        TrainingProvider.objects.bulk_create(list(needed.values()))
        new = []
        for row in rows:
            person, provider, values, existing = row.plan
            if existing is None:
                new.append(
                    SimpleNamespace(
                        person_id=person.pk, provider_id=provider.pk, category=row["category"],
                        course_name=row["course_name"] or "", completion_date=row["completion_date"],
                        source=RecordSource.IMPORTED, enrollment_id=None, **values,
                    )
                )
            else:
                for field, value in values.items():
                    setattr(existing, field, value)
                # save() per corrected record, so the audit log keeps the correction.
                existing.save(update_fields=[*values, "updated_at"])
        bulk_insert(TrainingRecord, new)
