"""Import kind `certificates` (持证记录, interfaces.md): certificates held from elsewhere.

A certificate is identified by its type and number. Importing the same row twice changes
nothing; a number already on file for another person is an error of the row, not a silent
transfer. Imported certificates were checked by the office that imports them, so they are
recorded as approved (a pending submission of the same certificate by its holder is approved
by the import). A county official imports certificates of persons employed in their county.
"""

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.imports import parsers
from core.imports.engine import CHANGED, NEW, UNCHANGED, Column, Importer
from core.imports.kinds import register
from registry.importers import PersonIndex, filter_in, person_columns
from registry.models import Employment, Person

from .models import Certificate, CertificateType, ReviewStatus, Source

# What an import may set on a certificate already on file.
FIELDS = ("level", "issuer", "issue_date", "expiry_date")


def certificate_type(cell, ctx):
    types = ctx.cache.get("certificate_types")
    if types is None:
        types = ctx.cache["certificate_types"] = {t.name: t for t in CertificateType.objects.all()}
    name = parsers.cell_text(cell).replace(" ", "")
    if name not in types:
        raise ValidationError("证书类型应为以下之一：" + "、".join(types) + "。")
    return types[name]


@register
class CertificateImporter(Importer):
    kind = "certificates"
    title = "持证记录"
    columns = [
        *person_columns(),
        Column("证书类型", "type", certificate_type, required=True, example="保育师"),
        Column("等级", "level", parsers.text(20), example="四级"),
        Column("证书编号", "number", parsers.text(50), required=True, example="1653000000123456", text_format=True),
        Column("发证机构", "issuer", parsers.text(100), required=True, example="曲靖市人力资源和社会保障局"),
        Column("发证日期", "issue_date", parsers.date, required=True, example="2023-06-30"),
        Column("有效期至", "expiry_date", parsers.date, example=""),
    ]
    notes = [
        "证书以“证书类型 + 证书编号”识别；同一行重复导入不会重复计数。",
        "证书类型须为系统中已配置的类型；有等级的证书（保育师、育婴员、婴幼儿发展引导员）须填写等级。",
        "有效期至留空表示长期有效。区县卫健局只能导入本区县从业人员的证书。",
    ]

    def prepare(self, rows, ctx):
        self.persons = PersonIndex(rows)
        numbers = {row["number"] for row in rows if row.ok and row["number"]}
        self.existing = {}
        queryset = Certificate.objects.exclude(review_status=ReviewStatus.REJECTED)
        for cert in filter_in(queryset, "number", numbers):
            self.existing[(cert.type_id, cert.number)] = cert
        self.in_county = set()
        if ctx.scope.county_id is not None:
            ids = [p.pk for p in self.persons.existing.values()]
            employed = Person.objects.filter(
                Exists(Employment.objects.filter(person=OuterRef("pk"), institution__county_id=ctx.scope.county_id))
            )
            self.in_county = {p.pk for p in filter_in(employed.only("pk"), "pk", ids)}
        self.seen = {}

    def check(self, row, ctx):
        ctype, level = row["type"], row["level"] or ""
        if ctype.has_levels and level not in ctype.level_list:
            row.error("level", f"{ctype.name}须填写等级：" + "、".join(ctype.level_list) + "。")
            return
        if not ctype.has_levels and level:
            row.error("level", f"{ctype.name}没有等级，请留空。")
            return
        issue, expiry = row["issue_date"], row["expiry_date"]
        if issue > ctx.today:
            row.error("issue_date", "发证日期不能晚于今天。")
            return
        if expiry and expiry < issue:
            row.error("expiry_date", "有效期至不能早于发证日期。")
            return
        key = (ctype.pk, row["number"])
        if key in self.seen:
            row.error("number", f"与第 {self.seen[key]} 行是同一证书，请删除重复行。")
            return
        person = self.persons.resolve(row)
        if person is None:
            return
        if ctx.scope.county_id is not None and (person.pk is None or person.pk not in self.in_county):
            row.error("id_number", f"该人员不在本区县（{ctx.scope.county_name}）的从业人员名录中，请先导入花名册。")
            return
        self.seen[key] = row.number
        values = {"level": level, "issuer": row["issuer"], "issue_date": issue, "expiry_date": expiry}
        existing = self.existing.get(key)
        if existing is None:
            row.status, row.plan = NEW, (person, values, None)
            return
        if existing.person_id != person.pk:
            row.error("number", "该证书编号已登记在其他人名下，请核对。")
            return
        if existing.source == Source.PLATFORM:
            row.status, row.plan = UNCHANGED, (person, values, existing)  # ours: never overwritten
            return
        changes = {f: v for f, v in values.items() if getattr(existing, f) != v}
        if existing.review_status == ReviewStatus.PENDING:
            changes["review_status"] = ReviewStatus.APPROVED
        row.status = CHANGED if changes else UNCHANGED
        row.plan = (person, changes, existing)

    def save(self, rows, ctx):
        self.persons.save([row.plan[0] for row in rows])
        now = timezone.now()
        user = ctx.user if ctx.user is not None and ctx.user.is_authenticated else None
        new = []
        for row in rows:
            person, values, existing = row.plan
            if existing is None:
                new.append(
                    Certificate(
                        person_id=person.pk, type=row["type"], number=row["number"], source=Source.EXTERNAL,
                        review_status=ReviewStatus.APPROVED, review_reason="导入", reviewed_by=user,
                        reviewed_at=now, created_by=user, **values,
                    )
                )
            elif values:
                for field, value in values.items():
                    setattr(existing, field, value)
                if values.get("review_status") == ReviewStatus.APPROVED:
                    existing.review_reason, existing.reviewed_by, existing.reviewed_at = "导入", user, now
                # save() per corrected certificate so the audit log keeps the correction.
                existing.save()
        Certificate.objects.bulk_create(new, batch_size=1000)
