"""Actions on the registry that change several rows or need care."""

from auditlog.models import LogEntry
from django.db import transaction

from .models import Person


class ClaimError(Exception):
    pass


# One message for every failure, so the form never tells whether a 身份证号 is on file.
CLAIM_FAILED = "未找到与该姓名和身份证号相符、且尚未被认领的从业人员记录。请核对后重试，或联系所在机构或区县卫健局。"


@transaction.atomic
def claim_person(user, name, id_number):
    """Link `user` to the Person with this name and 身份证号, if it is unclaimed."""
    if hasattr(user, "person"):
        raise ClaimError("您的账号已关联从业人员记录。")
    person = Person.objects.select_for_update().by_id_number(id_number).first()
    if person is None or person.name != name or person.user_id is not None:
        raise ClaimError(CLAIM_FAILED)
    person.user = user
    person.save(update_fields=["user", "updated_at"])
    if not user.full_name:
        user.full_name = person.name
        user.save(update_fields=["full_name"])
    return person


def reveal_id_number(person, user):
    """Return the clear 身份证号 for an authorised viewer, leaving an audit entry."""
    LogEntry.objects.log_create(
        person,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        changes={"id_number": ["(masked)", "(shown)"]},
        actor=user,
    )
    return person.id_number
