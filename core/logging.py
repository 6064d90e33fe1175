"""Structured logs: one JSON object per line, for journald / Loki / ELK / 阿里云 SLS.

Enabled with LOG_FORMAT=json (see the `# --- deploy ---` block of config/settings.py).
Each line carries the time (ISO 8601, UTC), level, logger, message, the process and, when
the record has them, the request's method, path and status and the exception's traceback.
Extra fields passed with `logger.info("...", extra={"run_id": 7})` are kept. Chinese text is
written as is (ensure_ascii off), so logs stay readable.
"""

import datetime
import json
import logging

# Attributes every LogRecord has: not repeated as "extra" fields.
_STANDARD = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", (), None)).keys() | {"message", "asctime", "taskName"}
)


def _plain(value):
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            # django.request / django.server attach the request: keep what locates the problem,
            # never its body, cookies or query string (they may carry personal data).
            entry["method"] = getattr(request, "method", None)
            entry["path"] = request.path
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry and key not in ("request", "status_code", "server_time"):
                entry[key] = _plain(value)
        if record.exc_info:
            entry["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            entry["traceback"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
