"""Verification codes never reach a production log (issue 13, finding 8)."""

import logging

import pytest

from accounts.sms import LogSender
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(env_extra, *args):
    drop = ("SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE", "SMS_SENDER")
    env = {k: v for k, v in os.environ.items() if k not in drop} | env_extra
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)

PROD = {"DJANGO_ENV": "production", "SECRET_KEY": "prod-" + "k3y" * 20, "ALLOWED_HOSTS": "qjty.example.cn",
        "PII_ENCRYPTION_KEY": "6kqWyB2Jb0mW8b7xv2vQ9o6yNf3iQm4lY3yVfG2nH1Q=", "PII_HASH_KEY": "h" * 32}


def test_production_refuses_the_log_only_sender():
    result = run_manage(PROD, "check")
    assert result.returncode != 0 and "SMS_LOG_SENDER_ALLOWED" in result.stderr
    assert run_manage({**PROD, "SMS_LOG_SENDER_ALLOWED": "true"}, "check").returncode == 0


def test_log_sender_writes_no_code_unless_allowed(settings, caplog):
    settings.SMS_LOG_SENDER_ALLOWED = False
    with caplog.at_level(logging.DEBUG):
        LogSender().send("13912345678", "您的验证码是 123456")
    assert "123456" not in caplog.text and "13912345678" not in caplog.text
