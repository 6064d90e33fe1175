from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = "培训"

    def ready(self):
        from auditlog.registry import auditlog
        from django.db.models import Exists, OuterRef, Q

        from registry.models import register_person_visibility

        from . import importers  # noqa: F401 - registers the `training` import kind (core.imports.kinds)
        from . import models

        # Results and their corrections after a run is finished are what the targets count.
        auditlog.register(models.TrainingRecord)
        auditlog.register(models.Enrollment)
        auditlog.register(models.Attendance)
        auditlog.register(models.CourseRun)

        @register_person_visibility
        def provider_sees_own_trainees(user):
            # Provider staff see the persons enrolled in their provider's runs.
            if user.is_provider_staff:
                # Exists, not a join: a person in several of the runs must appear once.
                return Q(Exists(models.Enrollment.objects.filter(person=OuterRef("pk"), run__provider_id=user.provider_id)))
            return None
