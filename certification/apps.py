from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = "证书"

    def ready(self):
        from auditlog.registry import auditlog

        from training.signals import result_changed

        from . import importers  # noqa: F401 - registers the `certificates` import kind (core.imports.kinds)
        from . import services
        from .models import Certificate, CertificateType

        # Revocations, reviews, supersessions and type changes (e.g. whether a type counts
        # toward 持证上岗率, which courses it is issued for) change past figures: every one
        # of them is kept.
        auditlog.register(CertificateType, m2m_fields={"courses"})
        auditlog.register(
            Certificate,
            exclude_fields=["verification_token", "pdf", "pdf_fingerprint", "reminded_for_expiry", "updated_at"],
        )
        # A result corrected from 合格 to 不合格 revokes the certificate issued for it, in the
        # transaction of the correction (training sends the signal; it never imports this app).
        result_changed.connect(services.on_result_changed, dispatch_uid="certification.revoke_on_failed_result")
