"""Who may do what with a certificate. Views and services ask here; the querysets in
models.py say which certificates each user may see at all (outsiders get 404 from those).
"""

from .models import Certificate

# Kinds of objects each back-office role may touch in the Wagtail admin (collected into the
# role groups by accounts.roles). Which certificates is decided by the querysets.
ROLE_PERMISSIONS = {
    "commission": [
        "certification.add_certificatetype",
        "certification.change_certificatetype",
        "certification.view_certificatetype",
        "certification.view_certificate",
        "certification.view_verificationlog",
    ],
    "county": ["certification.view_certificatetype", "certification.view_certificate"],
    "provider": ["certification.view_certificate"],
}


def can_revoke(user, cert):
    """The commission, or staff of the provider that issued it."""
    if not user.is_authenticated:
        return False
    if user.is_commission:
        return True
    return bool(user.is_provider_staff and cert.is_platform and cert.issuing_provider_id == user.provider_id)


def can_review(user, cert):
    """The commission, or the official of the county of the holder's current employment."""
    return Certificate.objects.reviewable_by(user).filter(pk=cert.pk).exists()


def can_download_scan(user, cert):
    """Scans are private: the holder and the reviewers only (not the provider)."""
    if not user.is_authenticated or not cert.scan:
        return False
    if cert.person.user_id == user.pk:
        return True
    return can_review(user, cert)


def can_issue_for_provider(user, provider_id):
    if not user.is_authenticated:
        return False
    return user.is_commission or (user.is_provider_staff and user.provider_id == provider_id)
