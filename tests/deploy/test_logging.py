"""Structured logs: one JSON object per line, Chinese kept readable, no request secrets."""

import json
import logging
import subprocess
import sys

from django.test import RequestFactory

from core.logging import JsonFormatter


def _record(msg, *args, level=logging.INFO, exc_info=None, **extra):
    logger = logging.getLogger("qjty.test")
    return logger.makeRecord("qjty.test", level, __file__, 10, msg, args, exc_info, extra=extra or None)


def test_formats_one_json_line_with_fields():
    line = JsonFormatter().format(_record("导入完成：%s 行", 120, run_id=7))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "导入完成：120 行"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "qjty.test"
    assert entry["run_id"] == 7
    assert entry["time"].endswith("+00:00")
    assert "导入完成" in line  # not \u escaped: readable in any log viewer


def test_request_path_and_status_without_query_string():
    request = RequestFactory().get("/certificates/verify/?n=QJTY-2025-000001&t=secret")
    entry = json.loads(JsonFormatter().format(_record("Not Found: %s", request.path, request=request, status_code=404)))
    assert entry["path"] == "/certificates/verify/"
    assert entry["method"] == "GET"
    assert entry["status"] == 404
    assert "secret" not in json.dumps(entry)


def test_exception_traceback_is_inside_the_object():
    try:
        raise ValueError("坏数据")
    except ValueError:
        record = _record("failed", level=logging.ERROR, exc_info=sys.exc_info())
    entry = json.loads(JsonFormatter().format(record))
    assert entry["exc_type"] == "ValueError"
    assert "坏数据" in entry["traceback"]


def test_log_format_json_setting_switches_the_console_handler():
    code = (
        "import django,logging;django.setup();"
        "logging.getLogger('qjty').warning('健康检查失败', extra={'db': 'default'})"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "test", "LOG_FORMAT": "json", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    lines = [json.loads(line) for line in result.stderr.strip().splitlines()]
    ours = [e for e in lines if e["logger"] == "qjty"]
    assert ours and ours[0]["message"] == "健康检查失败" and ours[0]["db"] == "default"
