"""python manage.py progress_report [--as-of YYYY-MM-DD] [--county NAME] [--json] (interfaces.md)."""

import json

from django.core.management.base import BaseCommand, CommandError

from monitoring import metrics


class Command(BaseCommand):
    help = "打印截至某日全市或某区县各项指标的实际值、目标值和完成进度。"
    # A read-only report: the system checks (which load every URLconf and view, ~0.3 s of CPU)
    # belong to `check`, `migrate` and the server, not to each run of the report.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--as-of", dest="as_of", default="", help="统计截止日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--county", default="", help="区县名称（默认全市）")
        parser.add_argument("--json", action="store_true", help="输出一个 JSON 对象")

    def handle(self, *args, **options):
        try:
            as_of = metrics.parse_as_of(options["as_of"])
            scope = metrics.parse_scope(options["county"])
        except metrics.MetricInputError as exc:
            # CommandError(returncode=2) prints the message on stderr and exits with status 2.
            raise CommandError(str(exc), returncode=2) from None
        values = metrics.compute_scope(as_of, scope)
        if options["json"]:
            self.stdout.write(json.dumps(metrics.report_json(as_of, scope, values), ensure_ascii=False))
            return
        self.stdout.write(f"{scope.name} 托育人才队伍建设指标（截至 {as_of:%Y-%m-%d}）")
        header = ("指标", "实际", "目标", "进度", "口径")
        rows = [header]
        for v in values:
            basis = f"{v.numerator}/{v.denominator}" if v.is_rate else (f"{v.year}年" if v.year else "累计")
            rows.append((v.label, v.actual_display, v.target_display, v.progress_display, basis))
        widths = [max(_width(r[i]) for r in rows) for i in range(len(header))]
        for row in rows:
            self.stdout.write("  ".join(_pad(cell, widths[i]) for i, cell in enumerate(row)).rstrip())


def _width(text):
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in str(text))


def _pad(text, width):
    return str(text) + " " * (width - _width(text))
