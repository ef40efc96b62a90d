"""Handing one message to the SMTP server, with the standard library
(`smtplib` + `email.message.EmailMessage`: maintained with Python, no MIME
written by hand, and no Flask app context needed in worker threads, unlike
Flask-Mail(man), whose per-app connection settings we would not use).

Every failure is sorted into two kinds, because the outbox treats them
differently:
- `PermanentFailure`: the server refused this message or recipient with a
  5xx reply (a bounce at the door): recorded, never retried;
- `TransientFailure`: everything else (server down, timeout, 4xx, a broken
  connection, a login refused: that is our configuration, not the member):
  retried later with a back-off.
Error texts go through `redact`, and never contain the password.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from loyalty_sync.notifications.smtp_config import SmtpConfig
from loyalty_sync.redaction import redact


class DeliveryFailure(Exception):
    pass


class PermanentFailure(DeliveryFailure):
    """5xx for this message: a bounce."""


class TransientFailure(DeliveryFailure):
    """Try again later."""


def deliver(config: SmtpConfig, message: EmailMessage) -> None:
    """Returns once the server accepted the message (250 after DATA)."""
    try:
        with _connect(config) as smtp:
            if config.tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if config.user:
                smtp.login(config.user, config.password)
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise TransientFailure(f"the SMTP server refused our login ({exc.smtp_code})") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise _by_code(*_first_refusal(exc.recipients)) from None
    except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError, smtplib.SMTPResponseException) as exc:
        raise _by_code(exc.smtp_code, exc.smtp_error) from None
    except (smtplib.SMTPException, OSError) as exc:  # refused connection, timeout, TLS, disconnect
        raise TransientFailure(redact(f"SMTP server unreachable: {exc.__class__.__name__}: {exc}")[:500]) from None
    if refused:  # some recipients refused; we send to one, so this is that one
        raise _by_code(*_first_refusal(refused))


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.tls == "ssl":
        return smtplib.SMTP_SSL(config.host, config.port, timeout=config.timeout, context=ssl.create_default_context())
    return smtplib.SMTP(config.host, config.port, timeout=config.timeout)


def _first_refusal(recipients: dict) -> tuple[int, bytes | str]:
    code, text = next(iter(recipients.values()))
    return code, text


def _by_code(code: int, text: bytes | str) -> DeliveryFailure:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    message = redact(f"{code} {words}")[:500]
    return PermanentFailure(message) if 500 <= int(code) < 600 else TransientFailure(message)
