"""Email holders whose certificates expire within CERT_EXPIRY_REMINDER_DAYS (default 60).

Run daily (cron). Each certificate is reminded once per expiry date: the reminder is claimed
with a conditional update, so two overlapping runs never send it twice. Holders without an
email address see the notice in their portal (我的证书) instead.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.db.models import F

from certification.models import Certificate, local_today
from certification.services import expiring_soon

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "向证书即将到期（默认 60 天内）的持证人发送邮件提醒；每张证书每个到期日只提醒一次。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="提前天数（默认取 CERT_EXPIRY_REMINDER_DAYS）")

    def handle(self, *args, days=None, **options):
        days = days if days is not None else settings.CERT_EXPIRY_REMINDER_DAYS
        today = local_today()
        due = (
            expiring_soon(Certificate.objects.all(), days, today)
            .filter(person__user__isnull=False)
            .exclude(person__user__email="")
            .exclude(reminded_for_expiry=F("expiry_date"))
            .select_related("type", "person__user")
            .order_by("expiry_date", "pk")
        )
        sent = 0
        for cert in due:
            claimed = (
                Certificate.objects.filter(pk=cert.pk)
                .exclude(reminded_for_expiry=F("expiry_date"))
                .update(reminded_for_expiry=F("expiry_date"))
            )
            if not claimed:
                continue  # another run got there first
            user = cert.person.user
            try:
                send_mail(
                    subject=f"您的{cert.type.name}将于 {cert.expiry_date:%Y-%m-%d} 到期",
                    message=(
                        f"{cert.person.name}，您好：\n\n"
                        f"您的{cert.type.name}（编号 {cert.number}）将于 {cert.expiry_date:%Y年%m月%d日} 到期。"
                        "请及时参加培训或办理换证，以免影响持证上岗。\n\n"
                        f"{settings.WAGTAIL_SITE_NAME}"
                    ),
                    from_email=settings.DEFAULT_FROM_EMAIL,
                    recipient_list=[user.email],
                )
            except Exception:
                # Give the claim back so tomorrow's run tries again.
                Certificate.objects.filter(pk=cert.pk).update(reminded_for_expiry=None)
                logger.exception("expiry reminder for certificate %s failed", cert.pk)
                continue
            sent += 1
        self.stdout.write(f"已发送 {sent} 封证书到期提醒邮件。")
