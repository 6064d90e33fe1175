"""Email holders whose certificates expire within CERT_EXPIRY_REMINDER_DAYS (default 60).

Daily schedule: deploy/systemd/qjty-reminders.timer runs this command at 08:00 (Asia/Shanghai);
with cron instead: `0 8 * * * cd /srv/qjty/app && .venv/bin/python manage.py send_expiry_reminders`.
The work is the task certification.tasks.send_expiry_reminders: by default the command runs it
here and now and prints how many emails went out; with --enqueue it only queues it for the
background worker (`manage.py db_worker`, TASKS_BACKEND=database).

Each certificate is reminded once per expiry date: the reminder is claimed with a conditional
update, so two overlapping runs never send it twice. Holders without an email address see the
notice in their portal (我的证书) instead.
"""

from django.core.management.base import BaseCommand, CommandError
from django_tasks import TaskResultStatus

from certification.tasks import send_expiry_reminders


class Command(BaseCommand):
    help = "向证书即将到期（默认 60 天内）的持证人发送邮件提醒；每张证书每个到期日只提醒一次。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="提前天数（默认取 CERT_EXPIRY_REMINDER_DAYS）")
        parser.add_argument(
            "--enqueue", action="store_true",
            help="只放入后台任务队列，由 db_worker 发送（默认在本进程内立即发送）",
        )

    def handle(self, *args, days=None, enqueue=False, **options):
        if days is not None and days < 0:
            raise CommandError("提前天数不能为负数。")
        if not enqueue:
            sent = send_expiry_reminders.call(days=days)
            self.stdout.write(f"已发送 {sent} 封证书到期提醒邮件。")
            return
        result = send_expiry_reminders.enqueue(days=days)
        if result.status == TaskResultStatus.SUCCESSFUL:  # a backend that runs tasks at once
            self.stdout.write(f"已发送 {result.return_value} 封证书到期提醒邮件。")
        elif result.status == TaskResultStatus.FAILED:
            raise CommandError("证书到期提醒任务失败，详见日志。")
        else:
            self.stdout.write(f"证书到期提醒任务已加入后台队列（任务 {result.id}）。")
