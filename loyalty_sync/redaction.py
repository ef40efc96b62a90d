"""Keep secrets out of logs and error messages.

WooCommerce consumer secrets (`cs_...`), keys passed in query strings and
OAuth signatures end up in URLs (the store's `Link` headers repeat them, see
../shared/woocommerce/FACTS.md), and URLs end up in exception messages. Every
log record and every error text we show goes through `redact`.
"""

import logging
import re

_PATTERNS = [
    (re.compile(r"\bcs_[A-Za-z0-9]{8,}"), "cs_[redacted]"),
    (re.compile(r"(?i)(consumer_secret|oauth_signature|password|secret)=([^&\s'\"]+)"), r"\1=[redacted]"),
    (re.compile(r"(?i)(authorization:\s*basic\s+)[A-Za-z0-9+/=]+"), r"\1[redacted]"),
    # a password in a URL's user part: smtp://user:password@host (LOYALTY_SMTP_URL), postgresql://...
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*):[^@/\s]+@"), r"\1:[redacted]@"),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class SecretFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


def install_secret_filter() -> None:
    """Attach the filter to every handler of the root logger (filters on a
    logger do not apply to records from its children; handler filters do)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, SecretFilter) for f in handler.filters):
            handler.addFilter(SecretFilter())
