"""Pluggable senders for verification codes.

settings.SMS_SENDER names a class with `send(phone, message)`. The default writes to the log
(development); a production deployment plugs in its SMS provider's client here.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

from core.pii import mask_phone

logger = logging.getLogger("accounts.sms")


class LogSender:
    def send(self, phone, message):
        # In development the log *is* the phone, so the message (code included) is written
        # there; only where settings allow it (never a real production site, see settings).
        if not settings.SMS_LOG_SENDER_ALLOWED:
            logger.error("SMS to %s not sent: no SMS provider configured", mask_phone(phone))
            return
        logger.warning("SMS to %s: %s", mask_phone(phone), message)


class MemorySender:
    """Keeps messages in memory; tests read `MemorySender.outbox`."""

    outbox = []

    def send(self, phone, message):
        MemorySender.outbox.append((phone, message))


def send_sms(phone, message):
    import_string(settings.SMS_SENDER)().send(phone, message)
