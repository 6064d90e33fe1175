"""Import kinds owned by the registry: `institutions` (托育机构名录) and `staff` (从业人员花名册).

Layouts and rules: interfaces.md. The engine (core.imports.engine) reads, parses and validates the
cells; these classes say how a row finds its existing objects (in bulk), whether it is new,
changed or unchanged, and what to write.

PersonIndex, InstitutionIndex and the `county` parser are shared with the training and
certificates kinds of the higher apps (they import them from here; the registry never imports
them). RegistryConfig.ready() imports this module, which registers the kinds.
"""

import datetime
import re
from types import SimpleNamespace

from core import pii
from django.core.exceptions import ValidationError

from core.imports import parsers
from core.imports.bulk import bulk_insert
from core.imports.engine import CHANGED, NEW, UNCHANGED, Column, Importer
from core.imports.kinds import register
from core.validators import id_number_gender, make_uscc

from .models import (
    County, DemoLevel, Employment, Institution, InstitutionType, Person, RegistrationStatus, StaffRole,
)

# SQLite allows 32,766 bound variables per query; a 50,000-row file must be looked up in parts.
LOOKUP_CHUNK = 5_000


def chunked(values, size=LOOKUP_CHUNK):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def filter_in(queryset, field, values):
    """queryset.filter(field__in=values), in chunks; yields the objects."""
    for part in chunked(values):
        yield from queryset.filter(**{f"{field}__in": part})


def _counties_by_name():
    by_name = {}
    for county in County.objects.all():
        for alias in {county.name, *county.aliases()}:
            by_name[alias] = county
    return by_name


def parse_county(cell, ctx):
    """One of the ten counties by full or short name (麒麟 → 麒麟区); looked up once per file."""
    value = re.sub(r"\s+", "", parsers.cell_text(cell))
    found = ctx.cached("counties", _counties_by_name).get(value)
    if found is None:
        raise ValidationError("区县不存在，应为曲靖市十个区县之一（如 麒麟区、宣威市、曲靖经开区）。")
    return found


# --- Persons (shared by staff, training, certificates) -------------------------------------


class NewPerson:
    """A person a file will create, with the column values of Person computed once.

    Not a Person instance on purpose: building 10,000 model instances (and running the
    id_number setter, which validates the number a second time) cost seconds per roster.
    `person_values` must stay equal to what Person.id_number's setter stores; a test in
    tests/imports/test_command.py compares the two.
    """

    __slots__ = ("pk", "name", "phone", "number", "digest")

    def __init__(self, name, number, phone, digest):
        self.pk = None
        self.name, self.number, self.phone, self.digest = name, number, phone or "", digest

    def person_values(self):
        number = self.number
        return {
            "name": self.name,
            "phone": self.phone,
            "id_number_encrypted": pii.encrypt(number),
            "id_number_hash": self.digest,
            "id_number_masked": pii.mask_id_number(number),
            "gender": id_number_gender(number),
            # The number was validated by the parser, so its birth date is a real date.
            "birth_date": datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14])),
            "user_id": None,
        }


class PersonIndex:
    """Finds the persons of a file by 身份证号 in bulk and keeps one identity per number.

    - a known number with a different 姓名 is an error (never a silent rename);
    - the same number with two different names in one file is an error;
    - an unknown number creates a Person (one per number, however many rows it has).
    """

    def __init__(self, rows, *, id_key="id_number"):
        numbers = {row[id_key] for row in rows if row.ok and row[id_key]}
        self.digests = {n: pii.lookup_hash(n) for n in numbers}
        by_hash = {d: n for n, d in self.digests.items()}
        self.existing = {}
        only = ("id", "name", "phone", "id_number_hash", "id_number_masked")
        for person in filter_in(Person.objects.only(*only), "id_number_hash", by_hash):
            self.existing[by_hash[person.id_number_hash]] = person
        self.new = {}
        self.first_seen = {}
        self.phone_updates = {}

    def resolve(self, row, *, name_key="name", id_key="id_number", phone_key=None):
        """The Person (or NewPerson) of `row`, or None after reporting an error on the row."""
        number, name = row[id_key], row[name_key]
        seen = self.first_seen.get(number)
        if seen and seen[0] != name:
            row.error(name_key, f"与第 {seen[1]} 行身份证号相同，但姓名不一致（第 {seen[1]} 行为“{seen[0]}”）。")
            return None
        phone = row[phone_key] if phone_key else None
        person = self.existing.get(number)
        if person is not None:
            if person.name != name:
                row.error(
                    name_key,
                    f"该身份证号已登记的姓名为“{pii.mask_name(person.name)}”，与本行不一致。"
                    "请核对；如确需更正姓名，请联系市卫健委在系统中修改。",
                )
                return None
            if phone and phone != person.phone:
                self.phone_updates[person.pk] = (person, phone)
        else:
            person = self.new.get(number)
            if person is None:
                person = self.new[number] = NewPerson(name, number, phone, self.digests[number])
            elif phone:
                person.phone = phone
        self.first_seen.setdefault(number, (name, row.number))
        return person

    def summary(self, rows):
        """"新建人员 N 名" for the persons the good rows would create."""
        new = {id(row.plan[0]) for row in rows if row.plan and getattr(row.plan[0], "pk", 0) is None}
        return [f"将新建从业人员 {len(new)} 名（按身份证号未找到的人员）。"] if new else []

    def phone_changes(self, person, row, phone_key="phone"):
        phone = row[phone_key]
        return bool(phone) and person.pk is not None and phone != person.phone

    def save(self, persons):
        """Create the new persons among `persons` (setting their pk) and apply phone updates.

        Call inside the importer's save(), i.e. inside the import's transaction.
        """
        to_create = {id(p): p for p in persons if p.pk is None}
        if to_create:
            created = list(to_create.values())
            bulk_insert(Person, (SimpleNamespace(**p.person_values()) for p in created))
            # bulk_insert does not return keys: read them back by hash, a few queries in all.
            by_hash = {p.digest: p for p in created}
            for pk, digest in filter_in(Person.objects.values_list("pk", "id_number_hash"), "id_number_hash", by_hash):
                by_hash[digest].pk = pk
        written = {id(p) for p in persons}
        for person, phone in self.phone_updates.values():
            if id(person) in written:
                person.phone = phone
                # save() (not bulk) so the audit log keeps the correction.
                person.save(update_fields=["phone", "updated_at"])


def person_columns():
    return [
        Column("姓名", "name", parsers.person_name, required=True, example="张三"),
        Column("身份证号", "id_number", parsers.id_number, required=True, example="530302199001010010", text_format=True),
    ]


# --- Institutions (found by the institutions and staff kinds) ------------------------------


class InstitutionIndex:
    """Existing institutions of a file's rows, by 统一社会信用代码 and by 机构名称 + 区县, in one query."""

    def __init__(self, rows):
        codes = {row["uscc"] for row in rows if row.ok and row["uscc"]}
        names = {row["name_of_institution"] for row in rows if row.ok and row["name_of_institution"]}
        self.by_uscc = {}
        self.by_name = {}
        queryset = Institution.objects.select_related("county")
        found = {}
        for part in chunked(codes):
            found.update((i.pk, i) for i in queryset.filter(uscc__in=part))
        for part in chunked(names):
            found.update((i.pk, i) for i in queryset.filter(name__in=part))
        for institution in found.values():
            if institution.uscc:
                self.by_uscc[institution.uscc] = institution
            self.by_name[(institution.name, institution.county_id)] = institution

    def find(self, row, *, name_key="name_of_institution"):
        """(institution or None, error (column key, message) or None) for the row's keys."""
        name, county, code = row[name_key], row["county"], row["uscc"]
        if code:
            institution = self.by_uscc.get(code)
            if institution is not None:
                return institution, None
            same_name = self.by_name.get((name, county.pk))
            if same_name is not None and same_name.uscc and same_name.uscc != code:
                return None, ("uscc", f"{county.name}已有名为“{name}”的机构，但其统一社会信用代码与本行不同，请核对。")
            return same_name, None
        return self.by_name.get((name, county.pk)), None


# --- institutions ---------------------------------------------------------------------------


@register
class InstitutionImporter(Importer):
    kind = "institutions"
    title = "托育机构名录"
    columns = [
        Column("机构名称", "name_of_institution", parsers.text(100), required=True, example="麒麟区阳光托育园"),
        Column("统一社会信用代码", "uscc", parsers.uscc, example=make_uscc("52530302MJ0000001"), text_format=True),
        Column("区县", "county", parse_county, required=True, example="麒麟区"),
        Column("机构类型", "type", parsers.choice(InstitutionType), required=True, example="民办托育机构"),
        Column("是否普惠", "is_puhui", parsers.choice(parsers.YES_NO), example="是"),
        Column("备案状态", "registration_status", parsers.choice(RegistrationStatus), example="已备案"),
        Column("备案日期", "registration_date", parsers.date, example="2024-03-05"),
        Column("托位数", "capacity", parsers.integer(0, 2000), example=60),
        Column("示范等级", "demo_level", parsers.choice(DemoLevel), example="无"),
    ]
    notes = [
        "机构以统一社会信用代码识别；未填写时以“机构名称 + 区县”识别。",
        "可选列留空时：新机构取默认值（否、未备案、0、无），已有机构保留原值。",
    ]
    # Columns that update an existing institution when given.
    FIELDS = ("type", "is_puhui", "registration_status", "registration_date", "capacity", "demo_level")
    DEFAULTS = {
        "is_puhui": False,
        "registration_status": RegistrationStatus.UNREGISTERED,
        "registration_date": None,
        "capacity": 0,
        "demo_level": DemoLevel.NONE,
    }

    def prepare(self, rows, ctx):
        self.index = InstitutionIndex(rows)
        self.seen = {}

    def check(self, row, ctx):
        county = row["county"]
        if message := ctx.scope.county_error(county):
            row.error("county", message)
            return
        date = row["registration_date"]
        if date and date > ctx.today:
            row.error("registration_date", "备案日期不能晚于今天。")
            return
        institution, problem = self.index.find(row)
        if problem:
            row.error(*problem)
            return
        name, code = row["name_of_institution"], row["uscc"]
        # One institution once per file: by code, and by name within a county.
        for key in filter(None, [("uscc", code) if code else None, ("name", name, county.pk)]):
            if key in self.seen:
                row.error("uscc" if key[0] == "uscc" else "name_of_institution", f"与第 {self.seen[key]} 行是同一机构，请删除重复行。")
                return
        if institution is not None and (message := ctx.scope.county_error(institution.county)):
            row.error("uscc", f"该统一社会信用代码对应的机构属于{institution.county.name}。{message}")
            return

        values = {"name": name, "county": county}
        if code:
            values["uscc"] = code
        for field in self.FIELDS:
            if row[field] is not None:
                values[field] = row[field]
        if institution is None:
            merged = {**self.DEFAULTS, **values}
        else:
            merged = {f: getattr(institution, f) for f in ("name", "county", "uscc", *self.FIELDS)}
            merged.update(values)
        if merged["registration_status"] == RegistrationStatus.REGISTERED and not merged["registration_date"]:
            row.error("registration_date", "已备案的机构必须填写备案日期。", value="")
            return
        # A rename must not collide with another institution of the same name in the county.
        other = self.index.by_name.get((name, county.pk))
        if institution is not None and other is not None and other.pk != institution.pk:
            row.error("name_of_institution", f"{county.name}已有另一家名为“{name}”的机构。")
            return

        self.seen[("name", name, county.pk)] = row.number
        if code:
            self.seen[("uscc", code)] = row.number
        if institution is None:
            row.status, row.plan = NEW, merged
            return
        changes = {f: v for f, v in merged.items() if getattr(institution, f) != v}
        row.status = CHANGED if changes else UNCHANGED
        row.plan = (institution, changes)

    def save(self, rows, ctx):
        new = [Institution(**{**row.plan, "uscc": row.plan.get("uscc") or None}) for row in rows if row.status == NEW]
        Institution.objects.bulk_create(new, batch_size=1000)
        for row in rows:
            if row.status == CHANGED:
                institution, changes = row.plan
                for field, value in changes.items():
                    setattr(institution, field, value)
                # save() per changed institution so the audit log records the correction.
                institution.save(update_fields=[*changes, "updated_at"])


# --- staff ---------------------------------------------------------------------------------------


def _overlaps(a_start, a_end, b_start, b_end):
    return a_start <= (b_end or b_start.max) and b_start <= (a_end or a_start.max)


@register
class StaffImporter(Importer):
    kind = "staff"
    title = "从业人员花名册"
    columns = [
        *person_columns(),
        Column("手机号", "phone", parsers.phone, example="13812345678", text_format=True),
        Column("机构名称", "name_of_institution", parsers.text(100), required=True, example="麒麟区阳光托育园"),
        Column("统一社会信用代码", "uscc", parsers.uscc, example=make_uscc("52530302MJ0000001"), text_format=True),
        Column("区县", "county", parse_county, required=True, example="麒麟区"),
        Column("岗位", "role", parsers.choice(StaffRole), required=True, example="保育人员"),
        Column("入职日期", "start_date", parsers.date, required=True, example="2024-03-05"),
        Column("离职日期", "end_date", parsers.date, example=""),
    ]
    notes = [
        "每行是一段任职：某人在某机构从入职日期起担任某岗位。机构须已在托育机构名录中。",
        "身份证号已登记的人员按身份证号识别；姓名须与已登记的一致。未登记的人员将新建。",
        "离职日期留空表示仍在职。",
    ]

    def prepare(self, rows, ctx):
        self.institutions = InstitutionIndex(rows)
        self.persons = PersonIndex(rows)
        person_ids = {p.pk for p in self.persons.existing.values()}
        institution_ids = {i.pk for i in self.institutions.by_name.values()}
        self.employments = {}
        if person_ids and institution_ids:
            queryset = Employment.objects.filter(institution_id__in=institution_ids)
            for employment in filter_in(queryset, "person_id", person_ids):
                key = (employment.person_id, employment.institution_id, employment.role, employment.start_date)
                self.employments[key] = employment
        self.seen = {}
        self.periods = {}

    def check(self, row, ctx):
        county = row["county"]
        if message := ctx.scope.county_error(county):
            row.error("county", message)
            return
        start, end = row["start_date"], row["end_date"]
        if end and end < start:
            row.error("end_date", "离职日期不能早于入职日期。")
            return
        institution, problem = self.institutions.find(row)
        if problem:
            row.error(*problem)
            return
        if institution is None:
            row.error("name_of_institution", f"托育机构名录中没有{county.name}的“{row['name_of_institution']}”，请先导入或登记该机构。")
            return
        if institution.county_id != county.pk:
            row.error("county", f"该机构属于{institution.county.name}，与本行区县不一致。")
            return
        person = self.persons.resolve(row, phone_key="phone")
        if person is None:
            return

        number = row["id_number"]
        key = (number, institution.pk, row["role"], start)
        if key in self.seen:
            row.error("start_date", f"与第 {self.seen[key]} 行是同一段任职，请删除重复行。")
            return
        for other_start, other_end, other_row in self.periods.get((number, institution.pk), ()):
            if _overlaps(start, end, other_start, other_end):
                row.error("start_date", f"同一人员在同一机构的任职时间与第 {other_row} 行重叠。")
                return
        self.seen[key] = row.number
        self.periods.setdefault((number, institution.pk), []).append((start, end, row.number))

        existing = self.employments.get((person.pk, institution.pk, row["role"], start)) if person.pk else None
        phone_changed = self.persons.phone_changes(person, row)
        if existing is None:
            row.status = NEW
        elif existing.end_date != end or phone_changed:
            row.status = CHANGED
        else:
            row.status = UNCHANGED
        row.plan = (person, institution, existing)

    def summary(self, rows):
        return self.persons.summary(rows)

    def save(self, rows, ctx):
        self.persons.save([row.plan[0] for row in rows])
        new = []
        for row in rows:
            person, institution, existing = row.plan
            if existing is None:
                new.append(
                    SimpleNamespace(
                        person_id=person.pk, institution_id=institution.pk, role=row["role"],
                        start_date=row["start_date"], end_date=row["end_date"],
                    )
                )
            elif existing.end_date != row["end_date"]:
                existing.end_date = row["end_date"]
                existing.save(update_fields=["end_date", "updated_at"])
        bulk_insert(Employment, new)


__all__ = ["InstitutionIndex", "PersonIndex", "chunked", "filter_in", "person_columns"]
