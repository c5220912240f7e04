"""Notification channels: Slack incoming webhook, e-mail over SMTP, a generic JSON webhook.

Each channel module has `render(notice, ...)` (pure: the notice payload in, the message out)
and `send(...)` (the network call; raises `DeliveryError` with a message free of secrets).
`notice` is the outbox payload: {"notice_id", "created_at", "dashboard_url", "events": [...]}.
"""

from __future__ import annotations

from config import Settings

CHANNELS = ("slack", "email", "webhook")


class DeliveryError(RuntimeError):
    """A delivery attempt failed; the message names the endpoint masked, never a secret."""


def configured_channels(settings: Settings) -> tuple[str, ...]:
    """The channels this deployment can deliver to, from ALERT_SLACK_WEBHOOK, ALERT_WEBHOOK_URL
    and ALERT_EMAIL_RECIPIENTS + SMTP_HOST."""
    out = []
    if settings.alert_slack_webhook:
        out.append("slack")
    if settings.alert_email_recipients and settings.smtp.configured:
        out.append("email")
    if settings.alert_webhook_url:
        out.append("webhook")
    return tuple(out)


def secrets_of(settings: Settings) -> tuple[str, ...]:
    return tuple(
        s
        for s in (settings.alert_slack_webhook, settings.alert_webhook_url, settings.smtp.password, settings.api_token)
        if s
    )


def send(channel: str, notice: dict, settings: Settings, timeout: float) -> None:
    """Deliver `notice` on `channel` with the current settings; raises `DeliveryError`."""
    from alerts.channels import email, slack, webhook

    if channel == "slack":
        if not settings.alert_slack_webhook:
            raise DeliveryError("ALERT_SLACK_WEBHOOK is no longer set")
        slack.send(settings.alert_slack_webhook, slack.render(notice), timeout)
    elif channel == "webhook":
        if not settings.alert_webhook_url:
            raise DeliveryError("ALERT_WEBHOOK_URL is no longer set")
        webhook.send(settings.alert_webhook_url, webhook.render(notice), notice.get("id"), timeout)
    elif channel == "email":
        recipients = sorted(set(settings.alert_email_recipients) | set(notice.get("recipients") or []))
        if not settings.smtp.configured or not recipients:
            raise DeliveryError("SMTP_HOST or ALERT_EMAIL_RECIPIENTS is no longer set")
        email.send(settings.smtp, email.render(notice, settings.smtp.sender, recipients), recipients, timeout)
    else:
        raise DeliveryError(f"unknown channel {channel!r}")
