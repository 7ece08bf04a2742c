"""Typed errors of the TikTok Marketing API client.

TikTok answers HTTP 200 for errors too, with `code != 0` in the envelope; HTTP 4xx/5xx
means the request never reached API logic. Both map onto one tree:

    ApiError            base: message, code, request_id (TikTok's log id), retryable
      AuthError         token missing, invalid, expired or without permission (40001, 40102, 40104, 40105, …)
      RateLimited       app or advertiser QPS limits (40100, 40133, 40016, 61000) — retryable
      Transient         system errors and timeouts (50000, 50002, 5xxxx, 60001, 40202, network, HTTP 5xx) — retryable
      Permanent         everything else: bad parameters (40002), limits (40011), missing objects …
        InvalidResponse the answer did not have the shape the API documents
"""


class ApiError(Exception):
    retryable = False

    def __init__(self, message: str, *, code: int | None = None, request_id: str = "", http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status

    def __str__(self) -> str:
        parts = [self.message]
        if self.code is not None:
            parts.append(f"code {self.code}")
        if self.request_id:
            parts.append(f"request_id {self.request_id}")
        return " · ".join(parts)


class AuthError(ApiError):
    pass


class RateLimited(ApiError):
    retryable = True


class Transient(ApiError):
    retryable = True


class Permanent(ApiError):
    pass


class InvalidResponse(Permanent):
    pass


AUTH_CODES = frozenset({40001, 40101, 40102, 40103, 40104, 40105, 40106, 40107, 40110, 40113, 40130})
RATE_LIMIT_CODES = frozenset({40100, 40133, 40016, 61000})
TRANSIENT_CODES = frozenset({50000, 50002, 60001, 40202})


def error_for_code(code: int, message: str, request_id: str = "") -> ApiError:
    """Classify a non-zero envelope code (see the module docstring for the classes)."""
    if code in AUTH_CODES:
        cls = AuthError
    elif code in RATE_LIMIT_CODES:
        cls = RateLimited
    elif code in TRANSIENT_CODES or 50000 <= code < 60000:
        cls = Transient
    else:
        cls = Permanent
    return cls(message or f"TikTok error {code}", code=code, request_id=request_id)
