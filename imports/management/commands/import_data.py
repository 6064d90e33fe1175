"""python manage.py import_data KIND PATH [--dry-run] [--good-rows-only] [--json]

Exit status (interfaces.md): 0 imported (or, with --dry-run, would be); 1 rows have errors and
nothing was written; 2 usage error or unreadable file.
"""

import json
import sys
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.utils import timezone

from core.imports import kinds
from core.imports.engine import run_import
from core.imports.reader import FileRejected, check_size
from imports.models import ImportJob, ImportStatus


class Command(BaseCommand):
    # Scripts rely on the exit status (0/1/2); the system checks could otherwise exit with 1 for
    # a reason that has nothing to do with the file.
    requires_system_checks = []
    help = "从 Excel/CSV 文件导入托育机构、从业人员、培训记录或持证记录（格式见 interfaces.md）。"

    def add_arguments(self, parser):
        parser.add_argument("kind", help="institutions, staff, training 或 certificates")
        parser.add_argument("path", help=".xlsx、.xls 或 .csv 文件")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument("--good-rows-only", action="store_true", help="有错误时仍导入无误的行")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, kind, path, dry_run, good_rows_only, **options):
        as_json = options["json"]
        flags = {"dry_run": dry_run, "good_rows_only": good_rows_only}
        available = kinds.available_kinds()
        if kind not in available:
            return self._fail(kind, f"未知的导入类型“{kind}”，可选：{', '.join(available)}。", as_json, **flags)
        file_path = Path(path)
        if not file_path.is_file():
            return self._fail(kind, f"找不到文件：{path}", as_json, **flags)
        try:
            # Size first, so a huge file is refused without being read into memory.
            check_size(file_path.stat().st_size)
            data = file_path.read_bytes()
            report = run_import(kind, data, file_path.name, dry_run=dry_run, good_rows_only=good_rows_only)
        except FileRejected as exc:
            return self._fail(kind, str(exc), as_json, **flags)
        except OSError as exc:
            return self._fail(kind, f"无法读取文件：{exc.strerror or exc}", as_json, **flags)

        if not dry_run:
            job = ImportJob(
                kind=kind, via_command=True, original_name=file_path.name[:255], size=len(data),
                good_rows_only=good_rows_only, finished_at=timezone.now(),
                status=ImportStatus.IMPORTED if report.written else ImportStatus.FAILED,
            )
            job.record(report)
            job.file.save(file_path.name, ContentFile(data), save=False)
            job.save()

        if as_json:
            self.stdout.write(_dumps(report.as_dict()))
        else:
            self._print_report(report)
        ok = report.can_write(good_rows_only) if dry_run else report.written
        if not ok:
            sys.exit(1)

    def _print_report(self, report):
        write = self.stdout.write
        write(f"类型：{report.kind}  数据行：{report.row_count}")
        write(f"新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}，有错误的行 {report.error_rows}")
        for error in report.errors:
            where = f"第 {error.row} 行" if error.row else "文件"
            value = f"“{error.value}”" if error.value else ""
            write(f"  {where} {error.column} {value}：{error.message}")
        if report.written:
            write(self.style.SUCCESS("已导入。"))
        elif report.dry_run:
            write("试运行（--dry-run）：未写入任何数据。")
        else:
            write(self.style.ERROR("文件有错误，未写入任何数据。"))

    def _fail(self, kind, message, as_json, *, dry_run=False, good_rows_only=False):
        if as_json:
            payload = {
                "kind": kind, "rows": 0, "created": 0, "updated": 0, "unchanged": 0,
                "errors": [{"row": None, "column": "", "value": "", "message": message}],
                "written": False, "dry_run": dry_run, "good_rows_only": good_rows_only,
            }
            self.stdout.write(_dumps(payload))
        else:
            self.stderr.write(message)
        sys.exit(2)


def _dumps(payload):
    return json.dumps(payload, ensure_ascii=False)

