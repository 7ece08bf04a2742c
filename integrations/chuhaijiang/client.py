"""出海匠 (Chuhaijiang) as a track-A PublishingProvider, spoken over MCP with the official `mcp` SDK.

出海匠's open platform is a hosted MCP server (streamable HTTP, `X-API-Key: sk_live_…`). Each
operation opens a short-lived MCP session (initialize, `tools/list`, the tool calls, close) on a
private event loop, so sync callers (Celery tasks, Django views) just call methods. Argument names
come from `tools/list` through schema.ToolMap, the one place that maps them.

Errors, always a PublishingError subclass:
  HTTP 401 -> AccountError (bad API key); HTTP 402 or an "insufficient balance" tool error -> AccountError
  (no credit); 403 -> AccountError; 404 -> ProtocolMismatch (wrong URL); 413 -> Rejected (video too big);
  HTTP 429 -> RateLimited (Retry-After honoured); timeouts, 5xx, connection errors -> Transient;
  a tool's isError result -> Rejected with its message; a missing tool/argument or an answer of an
  unexpected shape -> ProtocolMismatch.

No double posting: social_publish gets PostRequest.idempotency_key when its schema has such an
argument (the server's dedupe is the authority), and when the tool can also look a post up (an
action enum with a get/status value plus an idempotency-key argument) the client asks first and
returns the existing post without publishing. With neither, the caller's own Publication record is
the only guard, and `publish` says so in the log.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import logging
import mimetypes
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from integrations.publishing import (
    AccountDay,
    AccountError,
    PostRequest,
    ProtocolMismatch,
    PublishingError,
    PublishResult,
    PublishStatus,
    RateLimited,
    Rejected,
    RemoteAccount,
    Transient,
    caption,
)

from .schema import ToolMap, ToolSpec

log = logging.getLogger(__name__)
T = TypeVar("T")

STATUSES = {
    PublishStatus.PUBLISHED: ("published", "success", "succeeded", "completed", "complete", "done", "live", "posted"),
    PublishStatus.SCHEDULED: ("scheduled", "pending_schedule", "waiting", "timed"),
    PublishStatus.PROCESSING: ("processing", "pending", "queued", "publishing", "uploading", "in_progress", "running", "submitted"),
    PublishStatus.FAILED: ("failed", "error", "rejected", "cancelled", "canceled"),
}
NO_CREDIT = re.compile(r"insufficient (balance|credit)|余额不足|not enough credit|top up|payment required", re.I)
BAD_KEY = re.compile(r"unauthori[sz]ed|invalid api key|api key (is )?(missing|invalid)", re.I)


class _Session:
    """One open MCP session and the tool map read from its `tools/list`."""

    def __init__(self, client: Client, tools: ToolMap, timeout: float):
        self.client, self.tools, self.timeout = client, tools, timeout

    async def call(self, name: str, arguments: dict[str, Any]) -> Any:
        result = await self.client.call_tool(name, arguments, read_timeout_seconds=self.timeout)
        text = " ".join(getattr(block, "text", "") for block in result.content or []).strip()
        if result.is_error:
            message = text or f"{name} failed"
            if NO_CREDIT.search(message):
                raise AccountError(f"no credit left on the 出海匠 account: {message}", code="insufficient_balance")
            raise Rejected(f"出海匠 {name}: {message}", code="tool_error")
        if result.structured_content is not None:
            return result.structured_content
        try:
            return json.loads(text)
        except ValueError:
            raise ProtocolMismatch(f"出海匠 {name} answered neither structured content nor JSON: {text[:200]!r}") from None


class ChuhaijiangProvider:
    name = "chuhaijiang"

    def __init__(self, url: str, api_key: str, *, timeout: float = 30):
        self.url, self.api_key, self.timeout = url, api_key, float(timeout)
        self._tools: ToolMap | None = None

    # -- the protocol ------------------------------------------------------------------------------------

    @property
    def can_schedule(self) -> bool:
        """True only if social_publish declares a schedule-time argument (read from `tools/list` once)."""
        if self._tools is None:
            self._run(lambda session: _noop())
        assert self._tools is not None
        return self._tools["social_publish"].has("schedule_time")

    def account_info(self) -> dict:
        """The auth and credit check: AccountError on a bad key or an exhausted balance."""
        info = self._run(lambda s: s.call("account_info", {}))
        return _obj(info, "account_info")

    def accounts(self) -> list[RemoteAccount]:
        async def op(s: _Session):
            spec = s.tools["social_accounts"]
            args = {}
            if spec.has("action") and (value := spec.enum_value("action", "list")):
                args[spec.args["action"]] = value
            _put(spec, args, "platform", "tiktok")
            return await s.call("social_accounts", args)

        items = _list(self._run(op), "social_accounts", ("accounts", "items", "list", "data", "records"))
        accounts = []
        for item in items:
            item = _obj(item, "social_accounts item")
            account_id = _first(item, ("account_id", "id", "social_account_id", "accountId", "open_id", "uid"))
            if account_id in (None, ""):
                raise ProtocolMismatch(f"出海匠 social_accounts: an account without an id: {item!r}")
            accounts.append(RemoteAccount(
                account_id=str(account_id),
                handle=str(_first(item, ("username", "handle", "unique_id", "account_name")) or ""),
                display_name=str(_first(item, ("nickname", "display_name", "name")) or ""),
                followers=_int(_first(item, ("followers", "follower_count", "fans", "fans_count")), None),
            ))
        return accounts

    def publish(self, request: PostRequest) -> PublishResult:
        path = request.video_path
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise Rejected(f"cannot read the video {path}: {exc}", code="file_unreadable") from exc

        async def op(s: _Session) -> tuple[Any, bool]:
            spec = s.tools["social_publish"]
            if request.scheduled_at is not None and not spec.has("schedule_time"):
                raise ProtocolMismatch("出海匠 social_publish has no schedule-time argument: hold the post until its time",
                                       code="cannot_schedule")
            key = request.idempotency_key
            if key and spec.has("idempotency_key") and (lookup := spec.enum_value("action", "lookup")):
                try:
                    existing = await s.call("social_publish", {spec.args["action"]: lookup, spec.args["idempotency_key"]: key})
                except Rejected:
                    existing = None  # not found: publish below
                if existing is not None:
                    return existing, True
            elif key and not spec.has("idempotency_key"):
                log.warning("出海匠 social_publish takes no idempotency key: only the caller's records guard against a double post")
            upload = s.tools["upload_file"]
            args = {upload.args["file_content"]: base64.b64encode(data).decode("ascii"), upload.args["file_name"]: path.name}
            _put(upload, args, "mime_type", mimetypes.guess_type(path.name)[0] or "video/mp4")
            uploaded = _obj(await s.call("upload_file", args), "upload_file")
            file_ref = _first(uploaded, ("file_id", "id", "media_id", "fileId", "url", "file_url"))
            if file_ref in (None, ""):
                raise ProtocolMismatch(f"出海匠 upload_file answered no file id: {uploaded!r}")
            return await s.call("social_publish", self._publish_args(spec, request, str(file_ref))), False

        answer, _existing = self._run(op)
        return self._publish_result(answer, request.scheduled_at is not None)

    def publish_status(self, *, account_id: str, remote_id: str) -> PublishResult:
        async def op(s: _Session):
            spec = s.tools["social_publish"]
            lookup = spec.enum_value("action", "lookup")
            if not lookup or not spec.has("post_id"):
                raise ProtocolMismatch("出海匠 social_publish offers no way to look a post up (action=get with a post id)")
            return await s.call("social_publish", {spec.args["action"]: lookup, spec.args["post_id"]: remote_id})

        return self._publish_result(self._run(op), False)

    def account_stats(self, *, account_id: str, start: dt.date, end: dt.date) -> list[AccountDay]:
        async def op(s: _Session):
            spec = s.tools["social_analytics"]
            args = {spec.args["account_id"]: _one_or_list(spec, "account_id", account_id),
                    spec.args["start_date"]: start.isoformat(), spec.args["end_date"]: end.isoformat()}
            _put(spec, args, "platform", "tiktok")
            return await s.call("social_analytics", args)

        rows = _list(self._run(op), "social_analytics", ("days", "daily", "items", "data", "stats", "list"))
        days = []
        for row in rows:
            row = _obj(row, "social_analytics day")
            try:
                date = dt.date.fromisoformat(str(_first(row, ("date", "day", "stat_date")))[:10])
            except ValueError:
                raise ProtocolMismatch(f"出海匠 social_analytics: a day without a date: {row!r}") from None
            days.append(AccountDay(
                date=date,
                video_views=_int(_first(row, ("views", "video_views", "play_count", "plays")), 0),
                likes=_int(_first(row, ("likes", "like_count", "digg_count")), 0),
                shares=_int(_first(row, ("shares", "share_count")), 0),
                comments=_int(_first(row, ("comments", "comment_count")), 0),
                followers_gained=_int(_first(row, ("new_followers", "followers_gained", "follower_gain", "net_followers")), 0),
                followers=_int(_first(row, ("followers", "follower_count", "fans", "total_followers")), None),
            ))
        return sorted(days, key=lambda day: day.date)

    # -- helpers -------------------------------------------------------------------------------------------

    def _publish_args(self, spec: ToolSpec, request: PostRequest, file_ref: str) -> dict[str, Any]:
        args: dict[str, Any] = {}
        if spec.has("action") and (value := spec.enum_value("action", "publish")):
            args[spec.args["action"]] = value
        args[spec.args["account_id"]] = _one_or_list(spec, "account_id", request.account_id)
        args[spec.args["file_ref"]] = _one_or_list(spec, "file_ref", file_ref)
        if spec.has("hashtags") and request.hashtags:
            args[spec.args["caption"]] = caption(request.title, [])
            tags = [t.strip().lstrip("#") for t in request.hashtags if t.strip().lstrip("#")]
            args[spec.args["hashtags"]] = tags if spec.is_array("hashtags") else " ".join("#" + t for t in tags)
        else:
            args[spec.args["caption"]] = caption(request.title, request.hashtags)
        if request.scheduled_at is not None:
            when = request.scheduled_at if request.scheduled_at.tzinfo else request.scheduled_at.replace(tzinfo=dt.UTC)
            args[spec.args["schedule_time"]] = when.isoformat()
        _put(spec, args, "idempotency_key", request.idempotency_key or None)
        _put(spec, args, "platform", "tiktok")
        return args

    def _publish_result(self, answer: Any, scheduled: bool) -> PublishResult:
        answer = _obj(answer, "social_publish")
        remote_id = _first(answer, ("post_id", "id", "task_id", "publish_id"))
        raw_status = str(_first(answer, ("status", "state", "publish_status")) or "").lower()
        status = next((ours for ours, theirs in STATUSES.items() if raw_status in theirs), None)
        if remote_id in (None, "") or status is None:
            raise ProtocolMismatch(f"出海匠 social_publish answered an unexpected shape: {answer!r}")
        return PublishResult(
            remote_id=str(remote_id), status=status,
            post_id=str(_first(answer, ("platform_post_id", "item_id", "video_id", "tiktok_post_id")) or ""),
            fail_reason=str(_first(answer, ("error", "fail_reason", "reason", "message")) or "") if status == PublishStatus.FAILED else "",
            scheduled_by_provider=status == PublishStatus.SCHEDULED or (scheduled and status != PublishStatus.FAILED
                                                                        and status != PublishStatus.PUBLISHED),
        )

    def _run(self, op: Callable[[_Session], Awaitable[T]]) -> T:
        """Run `op` in a fresh MCP session on a private event loop; map every failure to a PublishingError."""
        seen: dict[str, Any] = {}

        async def on_response(response: httpx2.Response) -> None:
            if response.status_code >= 400 and "status" not in seen:
                seen["status"], seen["retry_after"] = response.status_code, response.headers.get("Retry-After")

        async def main() -> T:
            http = httpx2.AsyncClient(
                headers={"X-API-Key": self.api_key}, timeout=httpx2.Timeout(self.timeout), event_hooks={"response": [on_response]},
            )
            async with http:
                transport = streamable_http_client(self.url, http_client=http, terminate_on_close=True)
                with anyio.fail_after(self.timeout * 4):
                    async with Client(transport, mode="legacy", read_timeout_seconds=self.timeout, cache=None) as client:
                        listed = await client.list_tools()
                        self._tools = ToolMap.build({tool.name: tool.input_schema for tool in listed.tools})
                        return await op(_Session(client, self._tools, self.timeout))

        try:
            asyncio.get_running_loop()
        except RuntimeError:
            pass  # no loop in this thread: the sync callers this client is for
        else:
            raise RuntimeError("ChuhaijiangProvider is synchronous: call it from a worker thread, not inside an event loop")
        try:
            return anyio.run(main)
        except BaseException as exc:  # noqa: BLE001 - every failure becomes a typed PublishingError
            if isinstance(exc, KeyboardInterrupt | SystemExit):
                raise
            raise self._classify(exc, seen) from exc

    def _classify(self, exc: BaseException, seen: Mapping[str, Any]) -> PublishingError:
        status = seen.get("status")
        leaves = list(_leaves(exc))
        for leaf in leaves:
            if isinstance(leaf, PublishingError):
                if status is None or not isinstance(leaf, Rejected | ProtocolMismatch):
                    return leaf
        detail = "; ".join(str(leaf) or type(leaf).__name__ for leaf in leaves)[:300]
        if status == 401:
            return AccountError(f"bad API key: 出海匠 answered 401 ({detail})", code="401")
        if status == 402:
            return AccountError(f"no credit left on the 出海匠 account: top it up (402: {detail})", code="402")
        if status == 403:
            return AccountError(f"出海匠 refused this API key (403: {detail})", code="403")
        if status == 404:
            return ProtocolMismatch(f"no 出海匠 MCP endpoint at {self.url} (404)", code="404")
        if status == 413:
            return Rejected("出海匠 refused the request as too large (413): the video is too big to upload", code="413")
        if status == 429:
            return RateLimited(f"出海匠 rate limit (429: {detail})", retry_after_s=_float(seen.get("retry_after"), 60.0), code="429")
        if status is not None and status >= 500:
            return Transient(f"出海匠 answered HTTP {status} ({detail})", code=str(status))
        for leaf in leaves:
            if isinstance(leaf, TimeoutError | httpx2.TimeoutException):
                return Transient(f"出海匠 did not answer within {self.timeout:g} s", code="timeout")
            if isinstance(leaf, httpx2.TransportError | OSError):
                return Transient(f"cannot reach 出海匠 at {self.url}: {leaf}", code="connection")
            if isinstance(leaf, MCPError):
                if BAD_KEY.search(leaf.message):
                    return AccountError(f"bad API key: {leaf.message}", code=str(leaf.code))
                if NO_CREDIT.search(leaf.message):
                    return AccountError(f"no credit left on the 出海匠 account: {leaf.message}", code=str(leaf.code))
                if status is not None:
                    return Transient(f"出海匠 answered HTTP {status}: {leaf.message}", code=str(status))
                return Transient(f"出海匠 MCP error {leaf.code}: {leaf.message}", code=str(leaf.code))
        if status is not None:
            return Transient(f"出海匠 answered HTTP {status} ({detail})", code=str(status))
        for leaf in leaves:
            if type(leaf).__name__ == "ValidationError":
                return ProtocolMismatch(f"出海匠 answered a message the MCP SDK cannot read: {leaf}")
        return Transient(f"出海匠 call failed: {detail}", code=type(leaves[0]).__name__ if leaves else "")


async def _noop() -> None:
    return None


def _leaves(exc: BaseException):
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            yield from _leaves(inner)
    else:
        yield exc


def _obj(value: Any, what: str) -> dict:
    if not isinstance(value, dict):
        raise ProtocolMismatch(f"出海匠 {what}: expected a JSON object, got {type(value).__name__}: {str(value)[:200]}")
    return value


def _list(value: Any, what: str, keys: tuple[str, ...]) -> list:
    if isinstance(value, dict):
        for key in keys:
            if isinstance(value.get(key), list):
                return value[key]
            if isinstance(value.get(key), dict):  # {"data": {"accounts": [...]}}
                for inner in keys:
                    if isinstance(value[key].get(inner), list):
                        return value[key][inner]
    if isinstance(value, list):
        return value
    raise ProtocolMismatch(f"出海匠 {what}: expected a list under one of {', '.join(keys)}, got {str(value)[:200]}")


def _first(obj: Mapping[str, Any], keys: tuple[str, ...]) -> Any:
    return next((obj[key] for key in keys if obj.get(key) not in (None, "")), None)


def _int(value: Any, default: Any) -> Any:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ProtocolMismatch(f"出海匠: expected a number, got {value!r}")
    try:
        return int(float(value))
    except ValueError:
        raise ProtocolMismatch(f"出海匠: expected a number, got {value!r}") from None


def _float(value: Any, default: float) -> float:
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        return default


def _put(spec: ToolSpec, args: dict, concept: str, value: Any) -> None:
    """Set an optional argument when the tool has it and `value` fits (an enum must contain it)."""
    if value is None or not spec.has(concept):
        return
    enum = spec.prop(concept).get("enum")
    if enum and value not in enum:
        return
    args[spec.args[concept]] = _one_or_list(spec, concept, value)


def _one_or_list(spec: ToolSpec, concept: str, value: Any) -> Any:
    return [value] if spec.is_array(concept) and not isinstance(value, list) else value
