"""The SMTP server, from the environment: `LOYALTY_SMTP_URL`
(`smtp://user:password@host:587?tls=starttls`, `smtps://...` for TLS from
the first byte), or `LOYALTY_SMTP_HOST`, `_PORT`, `_USER`, `_PASSWORD` and
`_TLS` (`none`, `starttls`, `ssl`). `LOYALTY_SMTP_TIMEOUT_SECONDS` (30).

The password never leaves this object in text: `repr` hides it, and
`describe` (what logs and the panel show) names only user, host and port.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

TLS_MODES = ("none", "starttls", "ssl")


class SmtpNotConfigured(Exception):
    """No SMTP server set: emails wait in the outbox until one is."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    user: str = ""
    password: str = field(default="", repr=False)
    tls: str = "none"
    timeout: float = 30.0

    def describe(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"smtp://{who}{self.host}:{self.port} ({self.tls})"


def smtp_config(config) -> SmtpConfig:
    """From the Flask config (`LOYALTY_` variables land there without the prefix)."""
    timeout = float(config.get("SMTP_TIMEOUT_SECONDS", 30))
    url = str(config.get("SMTP_URL") or "").strip()
    if url:
        return _from_url(url, timeout)
    host = str(config.get("SMTP_HOST") or "").strip()
    if not host:
        raise SmtpNotConfigured("no SMTP server configured (LOYALTY_SMTP_URL or LOYALTY_SMTP_HOST)")
    tls = _tls(str(config.get("SMTP_TLS") or "none"))
    return SmtpConfig(
        host=host,
        port=int(config.get("SMTP_PORT") or _default_port(tls)),
        user=str(config.get("SMTP_USER") or ""),
        password=str(config.get("SMTP_PASSWORD") or ""),
        tls=tls,
        timeout=timeout,
    )


def _from_url(url: str, timeout: float) -> SmtpConfig:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SmtpNotConfigured("LOYALTY_SMTP_URL must look like smtp://user:password@host:port?tls=starttls")
    query = parse_qs(parts.query)
    tls = "ssl" if parts.scheme == "smtps" else _tls(query.get("tls", ["none"])[0])
    return SmtpConfig(
        host=parts.hostname,
        port=parts.port or _default_port(tls),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        tls=tls,
        timeout=timeout,
    )


def _tls(value: str) -> str:
    value = value.strip().lower()
    if value not in TLS_MODES:
        raise SmtpNotConfigured(f"SMTP TLS must be one of {', '.join(TLS_MODES)}")
    return value


def _default_port(tls: str) -> int:
    return {"none": 25, "starttls": 587, "ssl": 465}[tls]
