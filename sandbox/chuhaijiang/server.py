"""出海匠's open-platform MCP server, as the sandbox plays it: the real tool names, built on the
official `mcp` SDK's low-level Server, fed into the market's organic simulator.

The real server publishes its argument schemas only through `tools/list`; these are the sandbox's
(plausible, snake_case, JSON Schema). Every tool answers `structuredContent` plus the same JSON
as text content; a refused call answers `isError: true` with a text message.

account_info      {}                                                        -> {user_id, app_name, credits, plan}
social_accounts   {action?: "list"|"bind"|"unbind" = "list", platform?: "tiktok", account_id?}
                                                                            -> {accounts: [{account_id, platform, username,
                                                                                nickname, followers, status}]}
upload_file       {filename*, content_base64*, mime_type?}                  -> {file_id, filename, size, mime_type, sha256}
                  (1 credit; the file's bytes, base64, in one request of at most 64 MiB (views.MAX_BODY_BYTES): ~48 MB of video)
social_publish    {action?: "publish"|"get" = "publish", account_id, file_id, content (caption), hashtags?: [str],
                   schedule_time?: ISO 8601, idempotency_key?, post_id?}    -> {post_id, account_id, status, platform_post_id,
                                                                                scheduled_time, idempotency_key, created}
                  "publish" (1 credit) needs account_id, file_id and content. The same idempotency_key on the same API
                  key gives back the first post (created=false) and costs nothing. "get" looks a post up by post_id or
                  idempotency_key. status: "scheduled" until its day comes on the market clock, then "published".
social_analytics  {account_id*, start_date*, end_date*: YYYY-MM-DD}         -> {account_id, days: [{date, views, likes,
                                                                                shares, comments, new_followers, followers}]}
Other 出海匠 tools (search, get_detail, …) are listed with a minimal schema and answer "not available in the sandbox".

Auth (views.py, before MCP): `X-API-Key` header or `?api_key=` (the header wins); unknown key -> HTTP 401, a key whose
credits are used up -> HTTP 402. The default demo key is settings.CHUHAIJIANG_SANDBOX_KEY or `sk_live_sandbox`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any

import anyio
import mcp_types as types
from django.core.files.base import ContentFile
from django.db import IntegrityError, close_old_connections, connections, transaction
from django.db.models import F
from mcp.server.lowlevel.server import Server

from .models import SbChjAccount, SbChjFile, SbChjKey, SbChjPost

DEMO_ACCOUNTS = [("adloop.demo", "Adloop Demo"), ("adloop.kitchen", "Kitchen Finds"), ("adloop.deals", "Daily Deals")]
OTHER_TOOLS = [
    "search", "get_detail", "get_related", "amazon", "ai_generate", "check_task", "canvas", "canvas_tasks", "assets",
    "video_editor", "social_comments", "social_tools", "social_messages", "social_seller",
]


def _obj(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or [], "additionalProperties": False}


STR, DATE = {"type": "string"}, {"type": "string", "format": "date", "description": "YYYY-MM-DD"}

# Tool name -> (description, inputSchema). Tests may swap an entry to play a server whose schema changed.
TOOLS: dict[str, tuple[str, dict]] = {
    "account_info": ("Your 出海匠 account: app, plan and API-credit balance.", _obj({})),
    "social_accounts": ("List, bind or unbind the social media accounts of your 出海匠 account.", _obj({
        "action": {"type": "string", "enum": ["list", "bind", "unbind"], "default": "list"},
        "platform": {"type": "string", "enum": ["tiktok"], "description": "filter"},
        "account_id": STR,
    })),
    "upload_file": ("Upload a file (image or video) for later use; returns its file_id. Costs 1 credit.", _obj({
        "filename": STR,
        "content_base64": {"type": "string", "contentEncoding": "base64", "description": "the file's bytes"},
        "mime_type": {"type": "string", "default": "application/octet-stream"},
    }, ["filename", "content_base64"])),
    "social_publish": ("Publish a video to a bound social account now or at schedule_time; or get a post. Costs 1 credit.", _obj({
        "action": {"type": "string", "enum": ["publish", "get"], "default": "publish"},
        "account_id": STR,
        "file_id": {"type": "string", "description": "from upload_file"},
        "content": {"type": "string", "description": "the caption", "maxLength": 2200},
        "hashtags": {"type": "array", "items": {"type": "string"}},
        "schedule_time": {"type": "string", "format": "date-time", "description": "ISO 8601; empty = now"},
        "idempotency_key": {"type": "string", "maxLength": 128, "description": "the same key never posts twice"},
        "post_id": {"type": "string", "description": "for action=get"},
    })),
    "social_analytics": ("Daily stats of a social account.", _obj({
        "account_id": STR, "start_date": DATE, "end_date": DATE,
    }, ["account_id", "start_date", "end_date"])),
    **{name: (f"{name} (not available in the sandbox)", _obj({"query": STR})) for name in OTHER_TOOLS},
}


class ToolError(Exception):
    """A refused call: answered as an `isError` result with this message."""


def demo_key() -> str:
    from django.conf import settings

    return getattr(settings, "CHUHAIJIANG_SANDBOX_KEY", "") or "sk_live_sandbox"


def key_lookup(raw: str) -> SbChjKey | None:
    if not raw:
        return None
    if raw == demo_key():
        key, _ = SbChjKey.objects.get_or_create(key=raw)
        return key
    return SbChjKey.objects.filter(key=raw).first()


def accounts_ensure(key: SbChjKey) -> list[SbChjAccount]:
    """Every key has the demo accounts bound, each known to the organic simulator."""
    from sandbox.market.organic import organic_account_ensure

    accounts = list(key.accounts.all())
    if not accounts:
        for username, nickname in DEMO_ACCOUNTS:
            account_id = "chj_" + hashlib.sha256(f"{key.key}:{username}".encode()).hexdigest()[:16]
            accounts.append(SbChjAccount.objects.create(key=key, account_id=account_id, username=username, nickname=nickname))
    for account in accounts:
        organic_account_ensure(account_key=account.account_id, handle=account.username)
    return accounts


def _account(key: SbChjKey, account_id: Any) -> SbChjAccount:
    accounts_ensure(key)
    account = key.accounts.filter(account_id=str(account_id or "")).first()
    if account is None:
        raise ToolError(f"social account not found: {account_id!r}")
    return account


def _charge(key: SbChjKey) -> None:
    if SbChjKey.objects.filter(pk=key.pk, credits__gt=0).update(credits=F("credits") - 1) == 0:
        raise ToolError("insufficient balance: top up your API credits")


def tool_account_info(key: SbChjKey, args: dict) -> dict:
    key.refresh_from_db()
    return {"user_id": f"u_{key.pk}", "app_name": key.name, "credits": key.credits, "plan": "sandbox"}


def _account_json(account: SbChjAccount) -> dict:
    from sandbox.models import SbOrganicAccount

    followers = SbOrganicAccount.objects.filter(account_key=account.account_id).values_list("followers", flat=True).first()
    return {
        "account_id": account.account_id, "platform": account.platform, "username": account.username,
        "nickname": account.nickname, "followers": followers or 0, "status": account.status,
    }


def tool_social_accounts(key: SbChjKey, args: dict) -> dict:
    action = args.get("action") or "list"
    if action != "list":
        raise ToolError(f"action {action!r} needs the 出海匠 web console in the sandbox")
    platform = args.get("platform")
    return {"accounts": [_account_json(a) for a in accounts_ensure(key) if not platform or a.platform == platform]}


def tool_upload_file(key: SbChjKey, args: dict) -> dict:
    filename = str(args.get("filename") or "").strip()
    if not filename:
        raise ToolError("filename is required")
    try:
        content = base64.b64decode(str(args.get("content_base64") or ""), validate=True)
    except (binascii.Error, ValueError):
        raise ToolError("content_base64 is not valid base64") from None
    if not content:
        raise ToolError("the file is empty")
    _charge(key)
    file_id = "f_" + secrets.token_hex(12)
    record = SbChjFile(
        key=key, file_id=file_id, filename=filename[:255], mime_type=str(args.get("mime_type") or "")[:100],
        size=len(content), sha256=hashlib.sha256(content).hexdigest(),
    )
    record.file.save(f"{file_id}-{filename[-80:]}", ContentFile(content), save=False)
    record.save()
    return {"file_id": file_id, "filename": record.filename, "size": record.size, "mime_type": record.mime_type, "sha256": record.sha256}


def _post_json(post: SbChjPost, *, created: bool = False) -> dict:
    from sandbox.market.clock import market_today

    status = "published" if post.publish_on <= market_today() else "scheduled"
    return {
        "post_id": post.post_id, "account_id": post.account.account_id, "status": status,
        "platform_post_id": post.platform_post_id if status == "published" else "",
        "scheduled_time": post.scheduled_time.isoformat() if post.scheduled_time else None,
        "idempotency_key": post.idempotency_key, "created": created,
    }


def _schedule(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ToolError(f"schedule_time is not an ISO 8601 date-time: {value!r}") from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def tool_social_publish(key: SbChjKey, args: dict) -> dict:
    from sandbox.market.clock import market_now
    from sandbox.market.organic import organic_post_register

    action = args.get("action") or "publish"
    idem = str(args.get("idempotency_key") or "")
    if action == "get":
        posts = key.posts.select_related("account")
        post = posts.filter(post_id=str(args.get("post_id") or "")).first() if args.get("post_id") else (
            posts.filter(idempotency_key=idem).first() if idem else None)
        if post is None:
            raise ToolError("post not found")
        return _post_json(post)
    if action != "publish":
        raise ToolError(f"unknown action {action!r}")
    if idem and (post := key.posts.select_related("account").filter(idempotency_key=idem).first()):
        return _post_json(post)
    account = _account(key, args.get("account_id"))
    file = key.files.filter(file_id=str(args.get("file_id") or "")).first()
    if file is None:
        raise ToolError(f"file not found: {args.get('file_id')!r} (upload it with upload_file)")
    content = str(args.get("content") or "").strip()
    if not content:
        raise ToolError("content (the caption) is required")
    if len(content) > 2200:
        raise ToolError("content is longer than 2200 characters")
    hashtags = args.get("hashtags") or []
    if not isinstance(hashtags, list) or not all(isinstance(tag, str) for tag in hashtags):
        raise ToolError("hashtags must be a list of strings")
    scheduled = _schedule(args.get("schedule_time"))
    now = market_now()
    if scheduled and scheduled < now - dt.timedelta(minutes=5):
        raise ToolError("schedule_time is in the past")
    try:
        with transaction.atomic():
            _charge(key)
            post = SbChjPost.objects.create(
                key=key, post_id="p_" + secrets.token_hex(12), account=account, file=file, content=content, hashtags=hashtags,
                idempotency_key=idem, scheduled_time=scheduled, publish_on=(scheduled or now).date(),
                platform_post_id=str(7_300_000_000_000_000_000 + secrets.randbelow(10**17)),
            )
            organic_post_register(account_key=account.account_id, post_key=post.post_id, posted_on=post.publish_on, handle=account.username)
    except IntegrityError:  # a concurrent call with the same idempotency key won
        post = key.posts.select_related("account").get(idempotency_key=idem)
        return _post_json(post)
    return _post_json(post, created=True)


def _date(args: dict, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(args.get(name) or ""))
    except ValueError:
        raise ToolError(f"{name} must be a date YYYY-MM-DD") from None


def tool_social_analytics(key: SbChjKey, args: dict) -> dict:
    from sandbox.market.organic import organic_account_ensure, organic_daily

    account = _account(key, args.get("account_id"))
    start, end = _date(args, "start_date"), _date(args, "end_date")
    if end < start:
        raise ToolError("end_date is before start_date")
    if (end - start).days > 365:
        raise ToolError("at most 366 days per call")
    organic = organic_account_ensure(account_key=account.account_id, handle=account.username)
    gained_before = sum(organic_daily(account_key=account.account_id, end=start - dt.timedelta(days=1)).values_list("followers_gained", flat=True))
    followers = organic.initial_followers + gained_before
    days = []
    for row in organic_daily(account_key=account.account_id, start=start, end=end):
        followers += row.followers_gained
        days.append({
            "date": row.date.isoformat(), "views": row.video_views, "likes": row.likes, "shares": row.shares,
            "comments": row.comments, "new_followers": row.followers_gained, "followers": followers,
        })
    return {"account_id": account.account_id, "days": days}


HANDLERS: dict[str, Callable[[SbChjKey, dict], dict]] = {
    "account_info": tool_account_info, "social_accounts": tool_social_accounts, "upload_file": tool_upload_file,
    "social_publish": tool_social_publish, "social_analytics": tool_social_analytics,
}


def _in_thread(func: Callable[[], Any]) -> Any:
    """The ORM refuses to run inside an event loop: run a tool's DB work in a worker thread with its own connection."""

    def run():
        close_old_connections()
        try:
            return func()
        finally:
            connections.close_all()

    return anyio.to_thread.run_sync(run)


def _result(payload: dict) -> types.CallToolResult:
    return types.CallToolResult(content=[types.TextContent(text=json.dumps(payload, ensure_ascii=False))], structured_content=payload)


def build_server(key_pk: int) -> Server:
    """The MCP server for one HTTP request, already authenticated as the key `key_pk`."""

    async def list_tools(ctx, params) -> types.ListToolsResult:
        return types.ListToolsResult(tools=[
            types.Tool(name=name, description=description, input_schema=schema) for name, (description, schema) in TOOLS.items()
        ])

    async def call_tool(ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
        handler = HANDLERS.get(params.name)
        if params.name not in TOOLS:
            return types.CallToolResult(content=[types.TextContent(text=f"unknown tool: {params.name}")], is_error=True)
        if handler is None:
            return types.CallToolResult(content=[types.TextContent(text=f"{params.name} is not available in the sandbox")], is_error=True)
        args = dict(params.arguments or {})
        unknown = set(args) - set(TOOLS[params.name][1].get("properties", {}))
        if unknown:
            return types.CallToolResult(content=[types.TextContent(text=f"unknown arguments: {sorted(unknown)}")], is_error=True)
        try:
            payload = await _in_thread(lambda: handler(SbChjKey.objects.get(pk=key_pk), args))
        except ToolError as exc:
            return types.CallToolResult(content=[types.TextContent(text=str(exc))], is_error=True)
        return _result(payload)

    return Server("chuhaijiang-sandbox", version="1.0.3", on_list_tools=list_tools, on_call_tool=call_tool)
