"""Chat-group webhooks for alerts: Feishu/Lark, DingTalk, WeCom and Slack, each in its own
documented message format (`platforms`), sent through one session with a default timeout
(`client.WebhookNotifier`). Django-free: callers pass URLs and secrets in. E-mail is sent on
the Django side, with Django's mail API."""

from .client import WebhookNotifier
from .errors import NotifyError
from .platforms import PLATFORMS

__all__ = ["PLATFORMS", "NotifyError", "WebhookNotifier"]
