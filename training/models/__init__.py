"""Runs (班次), enrolments, sessions, attendance and the training records they produce.

Split by concept (style.md: modules past ~400 lines), as cms/models/ is. Importing everything
here keeps the app label `training` and the model names stable for migrations and for other
apps. Actions that change several rows (enrol, approve, withdraw, take attendance, finish a
run) live in training/services.py; these modules hold the data, its invariants and the
scoping querysets.
"""

from .choices import (  # noqa: F401
    HOURS_FIELD,
    SCORE_VALIDATORS,
    SEAT_HOLDING,
    AttendanceStatus,
    DeliveryMode,
    EnrollmentStatus,
    RecordSource,
    RunStatus,
    SessionKind,
    TrainingResult,
    local_today,
    partial_share,
)
from .runs import CourseRun, CourseRunQuerySet  # noqa: F401
from .enrolment import Enrollment, EnrollmentQuerySet  # noqa: F401
from .sessions import Attendance, Session, SessionQuerySet  # noqa: F401
from .records import TrainingRecord, TrainingRecordQuerySet  # noqa: F401
# Re-exported: callers have long read these from training.models.
from registry.models import StaffRole, TrainingCategory  # noqa: F401
