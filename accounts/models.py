"""The user model and its roles.

A user has exactly one role. Staff roles carry the organisation they act for: a provider
staff member is linked to one training provider, a county official to one county. Which
records each role may see is decided by the `visible_to(user)` queryset methods of each
model, which read the helpers below.
"""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    TRAINEE = "trainee", "学员"
    PROVIDER = "provider", "培训机构"
    COUNTY = "county", "区县卫健局"
    COMMISSION = "commission", "市卫健委"
    EDITOR = "editor", "内容编辑"


class AccountUserManager(UserManager):
    def create_user(self, username=None, email=None, password=None, **extra):
        username = username or extra.get("phone") or email
        return super().create_user(username, email, password, **extra)


class User(AbstractUser):
    # Django's username stays as an internal handle; people log in with phone or email.
    email = models.EmailField("电子邮箱", blank=True, default="")
    phone = models.CharField("手机号", max_length=11, blank=True, null=True, unique=True)
    phone_verified = models.BooleanField("手机号已验证", default=False)
    full_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.TRAINEE)
    county = models.ForeignKey(
        "registry.County", verbose_name="所属区县", null=True, blank=True,
        on_delete=models.PROTECT, related_name="officials",
    )
    provider = models.ForeignKey(
        "registry.TrainingProvider", verbose_name="所属培训机构", null=True, blank=True,
        on_delete=models.PROTECT, related_name="staff_users",
    )

    objects = AccountUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            # A county official acts for one county, a provider staff member for one provider.
            models.CheckConstraint(
                name="user_county_role",
                condition=Q(role="county", county__isnull=False) | ~Q(role="county"),
            ),
            models.CheckConstraint(
                name="user_provider_role",
                condition=Q(role="provider", provider__isnull=False) | ~Q(role="provider"),
            ),
            models.UniqueConstraint(
                fields=["email"], condition=~Q(email=""), name="user_email_unique"
            ),
        ]

    def __str__(self):
        return self.full_name or self.email or self.phone or self.username

    def clean(self):
        super().clean()
        if self.role == Role.COUNTY and not self.county_id:
            raise ValidationError({"county": "区县卫健局账号必须选择所属区县。"})
        if self.role == Role.PROVIDER and not self.provider_id:
            raise ValidationError({"provider": "培训机构账号必须选择所属培训机构。"})

    # Role helpers used by every scoping method. Superusers act as the commission.
    @property
    def is_commission(self):
        return self.is_active and (self.is_superuser or self.role == Role.COMMISSION)

    @property
    def is_county_official(self):
        return self.is_active and self.role == Role.COUNTY and self.county_id is not None

    @property
    def is_provider_staff(self):
        return self.is_active and self.role == Role.PROVIDER and self.provider_id is not None

    @property
    def is_trainee(self):
        return self.is_active and self.role == Role.TRAINEE

    @property
    def is_editor(self):
        return self.is_active and self.role == Role.EDITOR

    @property
    def is_back_office(self):
        """Roles that work in the Wagtail admin."""
        return self.is_commission or self.is_county_official or self.is_provider_staff or self.is_editor
