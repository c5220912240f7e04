"""E-mail over SMTP: plain text and HTML alternatives, every value HTML-escaped.

The subject goes through textsafe.email_header (single line: crawled text may hold CR/LF, which
would otherwise inject headers; no bidi or zero-width characters), and every body value through
textsafe.strip_invisible; the Message-ID is derived from the notice id so mail systems can drop duplicates.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate

from alerts.channels import DeliveryError
from alerts.notice_text import MAX_EVENTS, alerts_link, fields, headline, title
from alerts.secrets import scrub
from config import SmtpSettings
from common.textsafe import email_header, strip_invisible

COLOURS = {"critical": "#ff3b5c", "warning": "#ffb000", "info": "#2f8cff"}


def _one_line(text: str) -> str:
    return email_header(text, 200)


def e(value, quote: bool = False) -> str:
    return html.escape(strip_invisible(value), quote=quote)


def render(notice: dict, sender: str, recipients: list[str]) -> EmailMessage:
    events = notice.get("events") or []
    link = alerts_link(notice)
    msg = EmailMessage()
    msg["Subject"] = _one_line(title(notice))
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = f"<{notice.get('id') or notice.get('notice_id')}@mission-control>"
    lines = [strip_invisible(title(notice)), ""]
    for ev in events[:MAX_EVENTS]:
        lines.append(strip_invisible(headline(ev)))
        lines += [f"  {label}: {strip_invisible(value)}" for label, value in fields(ev)]
        lines.append("")
    if len(events) > MAX_EVENTS:
        lines.append(f"… and {len(events) - MAX_EVENTS} more")
    if link:
        lines.append(f"Mission Control: {link}")
    msg.set_content("\n".join(lines))

    parts = [f"<h2 style='font-family:sans-serif'>{e(title(notice))}</h2>"]
    for ev in events[:MAX_EVENTS]:
        colour = COLOURS.get(ev.get("severity"), "#6d7f99")
        rows = "".join(
            f"<tr><th align='left' style='padding-right:12px'>{e(label)}</th><td>{e(value)}</td></tr>"
            for label, value in fields(ev)
        )
        parts.append(
            f"<div style='border-left:4px solid {colour};padding:4px 12px;margin:12px 0;font-family:sans-serif'>"
            f"<p><strong>{e(headline(ev))}</strong></p><table>{rows}</table></div>"
        )
    if len(events) > MAX_EVENTS:
        parts.append(f"<p>… and {len(events) - MAX_EVENTS} more</p>")
    if link:
        parts.append(f'<p><a href="{e(link, quote=True)}">Open Mission Control</a></p>')
    msg.add_alternative("<html><body>" + "".join(parts) + "</body></html>", subtype="html")
    return msg


def send(smtp: SmtpSettings, msg: EmailMessage, recipients: list[str], timeout: float) -> None:
    """Send `msg` through `smtp`; raises `DeliveryError` (with the password scrubbed)."""
    try:
        cls = smtplib.SMTP_SSL if smtp.use_ssl else smtplib.SMTP
        kwargs = {"context": ssl.create_default_context()} if smtp.use_ssl else {}
        with cls(smtp.host, smtp.port, timeout=timeout, **kwargs) as client:
            if smtp.starttls and not smtp.use_ssl:
                client.starttls(context=ssl.create_default_context())
            if smtp.username:
                client.login(smtp.username, smtp.password or "")
            refused = client.send_message(msg, to_addrs=recipients)
        if refused and len(refused) == len(recipients):
            raise DeliveryError(f"SMTP server {smtp.host}:{smtp.port} refused every recipient")
    except DeliveryError:
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(
            f"SMTP {smtp.host}:{smtp.port}: {scrub(f'{type(exc).__name__}: {exc}', [smtp.password])}"
        ) from None
