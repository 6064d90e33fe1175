from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "certification"
    verbose_name = "证书"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Certificate, CertificateType

        # Revocations, reviews, supersessions and type changes (e.g. whether a type counts
        # toward 持证上岗率) change past figures: every one of them is kept.
        auditlog.register(CertificateType)
        auditlog.register(
            Certificate,
            exclude_fields=["verification_token", "pdf", "pdf_fingerprint", "reminded_for_expiry", "updated_at"],
        )
