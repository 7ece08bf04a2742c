"""TikTok v2's error codes mapped onto integrations.publishing's typed errors.

Every v2 answer carries `error:{code, message, log_id}`; `code == "ok"` is success.
"""

from __future__ import annotations

from integrations.publishing import AccountError, ProtocolMismatch, PublishingError, RateLimited, Rejected, Transient

# The account needs a person: reconnect (token), re-grant (scope), or the account/app may not post.
ACCOUNT_CODES = frozenset({
    "access_token_invalid", "scope_not_authorized", "scope_permission_missed", "spam_risk_user_banned_from_posting",
    "reached_active_user_cap", "unaudited_client_can_only_post_to_private_accounts",
})
# This post (or its parameters) is refused for good; sending it again will not help.
REJECTED_CODES = frozenset({
    "invalid_params", "invalid_file_upload", "privacy_level_option_mismatch", "url_ownership_unverified",
    "spam_risk_too_many_posts", "spam_risk_text", "spam_risk_too_many_pending_share",
})
TRANSIENT_CODES = frozenset({"internal_error"})
RATE_LIMIT_CODES = frozenset({"rate_limit_exceeded"})


def error_for(code: str, message: str, *, http_status: int, log_id: str = "", retry_after_s: float = 60.0) -> PublishingError:
    """The typed error of a v2 error code; an unknown code is classified by its HTTP status."""
    text = message or f"TikTok error {code} (HTTP {http_status})"
    if code in RATE_LIMIT_CODES or http_status == 429:
        return RateLimited(text, code=code, request_id=log_id, retry_after_s=retry_after_s)
    if code in ACCOUNT_CODES:
        return AccountError(text, code=code, request_id=log_id)
    if code in REJECTED_CODES or code.startswith("spam_risk_"):
        return Rejected(text, code=code, request_id=log_id)
    if code in TRANSIENT_CODES or http_status >= 500:
        return Transient(text, code=code, request_id=log_id)
    if http_status in (401, 403):
        return AccountError(text, code=code, request_id=log_id)
    if 400 <= http_status < 500 or code:
        return Rejected(text, code=code, request_id=log_id)
    return ProtocolMismatch(text, code=code, request_id=log_id)
