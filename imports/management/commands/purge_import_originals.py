"""python manage.py purge_import_originals [--dry-run]

Deletes the uploaded originals older than IMPORT_ORIGINAL_RETENTION_DAYS (default 30); the
import records stay. Run daily by qjty-purge.timer (docs/deployment.md).
"""

from django.conf import settings
from django.core.management.base import BaseCommand

from imports.services import purge_originals


class Command(BaseCommand):
    help = "删除超过保留期限（IMPORT_ORIGINAL_RETENTION_DAYS）的导入原始文件，导入记录保留。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将删除的文件，不删除")

    def handle(self, *args, dry_run, **options):
        jobs = purge_originals(dry_run=dry_run)
        days = settings.IMPORT_ORIGINAL_RETENTION_DAYS
        if dry_run:
            for job in jobs:
                self.stdout.write(f"  #{job.pk} {job.created_at:%Y-%m-%d} {job.original_name}")
            self.stdout.write(f"试运行：{len(jobs)} 个超过 {days} 天的原始文件将被删除。")
        else:
            self.stdout.write(f"已删除 {len(jobs)} 个超过 {days} 天的原始文件。")
