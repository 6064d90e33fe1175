"""The training vocabulary (statuses, kinds, results) and the small rules every model shares."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.dates import local_today  # noqa: F401 (training.models.local_today stays importable)



# --- Vocabulary ----------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    OPEN = "open", "报名中"
    RUNNING = "running", "进行中"
    FINISHED = "finished", "已结业"
    CANCELLED = "cancelled", "已取消"


class DeliveryMode(models.TextChoices):
    OFFLINE = "offline", "线下"
    ONLINE = "online", "线上"
    BLENDED = "blended", "混合"


class EnrollmentStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已录取"
    WAITLISTED = "waitlisted", "候补"
    REJECTED = "rejected", "未通过"
    WITHDRAWN = "withdrawn", "已退出"


# Enrolments that hold one of the run's seats (a pending one keeps its seat while the
# provider decides, so approving can never overfill the run).
SEAT_HOLDING = (EnrollmentStatus.PENDING, EnrollmentStatus.APPROVED)


class SessionKind(models.TextChoices):
    THEORY = "theory", "理论"
    PRACTICE = "practice", "实操"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出勤"
    LATE = "late", "迟到"
    EARLY_LEAVE = "early_leave", "早退"
    ABSENT = "absent", "缺勤"
    LEAVE = "leave", "请假"


class TrainingResult(models.TextChoices):
    PASSED = "passed", "合格"
    FAILED = "failed", "不合格"


class RecordSource(models.TextChoices):
    PLATFORM = "platform", "平台班次"
    IMPORTED = "imported", "导入"


HOURS_FIELD = {"max_digits": 6, "decimal_places": 1}
SCORE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


def partial_share():
    """Share of a session's hours credited for 迟到/早退 (settings.TRAINING_PARTIAL_ATTENDANCE_SHARE)."""
    share = Decimal(str(getattr(settings, "TRAINING_PARTIAL_ATTENDANCE_SHARE", "0.5")))
    return min(max(share, Decimal("0")), Decimal("1"))

