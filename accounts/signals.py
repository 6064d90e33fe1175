from auditlog.registry import auditlog

from .models import User

# Staff accounts and their roles are audited (who granted whom which role, and when).
auditlog.register(User, exclude_fields=["password", "last_login"])
