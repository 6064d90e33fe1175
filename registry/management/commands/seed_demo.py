"""Fill the database with a realistic demo of all ten counties and one account per role.

Each app that has demo data provides `<app>/demo.py` with `seed(ctx)`; they run in the
dependency order below. Every step upserts by a natural key, so running the command again
changes nothing.
"""

import importlib
import logging
import random

from django.core.management.base import BaseCommand
from django.db import transaction

# Dependency order: registry <- training <- certification <- monitoring; pages last.
DEMO_APPS = ["registry", "accounts", "courses", "training", "certification", "imports", "monitoring", "cms"]


class SeedContext:
    def __init__(self, stdout, style):
        self.stdout = stdout
        self.style = style
        self.accounts = []  # (role label, login, password) printed at the end

    def rng(self, name):
        """A deterministic random generator per app, so each app's data is stable."""
        return random.Random(f"qujing-demo-{name}")

    def log(self, message):
        self.stdout.write(message)


# One line per task run and per page saved: thousands of lines during a bulk load that would
# bury the summary and the logins.
QUIET_LOGGERS = ["django_tasks", "wagtail"]


class Command(BaseCommand):
    help = "创建演示数据（十个区县的机构、人员、培训机构、课程、证书、文章等）和各角色演示账号；可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--url", help="最后与演示账号一起打印的网站地址（make run 传入）")

    def handle(self, *args, url=None, **options):
        ctx = SeedContext(self.stdout, self.style)
        quiet = [logging.getLogger(name) for name in QUIET_LOGGERS]
        levels = [logger.level for logger in quiet]
        for logger in quiet:
            logger.setLevel(logging.WARNING)
        for app in DEMO_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(ctx)
        for logger, level in zip(quiet, levels):
            logger.setLevel(level)
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。演示账号："))
        for label, login, password in ctx.accounts:
            self.stdout.write(f"  {label:<10} 账号 {login:<28} 密码 {password}")
        if url:
            self.stdout.write(self.style.SUCCESS(f"打开 {url}  （管理后台 {url.rstrip('/')}/admin/）"))
