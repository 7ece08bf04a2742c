"""The ONE place that knows 出海匠's tool argument names.

出海匠 publishes its tools' argument schemas only through MCP `tools/list`, so the client never
hard-codes an argument name: for each concept it needs it lists the plausible names, and at connect
time `ToolMap.build` matches them against each tool's `inputSchema.properties` (first candidate
present wins; a case- and separator-insensitive match counts). A tool or a required concept that is
missing raises ProtocolMismatch naming both.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from integrations.publishing import ProtocolMismatch

# concept -> candidate argument names, most likely first.
CONCEPTS: dict[str, tuple[str, ...]] = {
    "action": ("action", "operation", "op", "mode"),
    "platform": ("platform", "platforms", "channel"),
    "account_id": ("account_id", "social_account_id", "accountId", "account_ids", "accounts", "account", "open_id", "uid"),
    "file_content": ("content_base64", "file_base64", "base64", "file_content", "data", "content", "file"),
    "file_name": ("filename", "file_name", "name"),
    "mime_type": ("mime_type", "content_type", "mimetype", "type"),
    "file_ref": ("file_id", "media_id", "video_id", "asset_id", "file_ids", "media_ids", "file_url", "video_url", "media_url", "url"),
    "caption": ("content", "caption", "text", "description", "desc", "title", "message"),
    "hashtags": ("hashtags", "tags", "topics", "hashtag"),
    "schedule_time": ("schedule_time", "scheduled_time", "scheduled_at", "publish_time", "post_time", "schedule_at", "scheduled"),
    "idempotency_key": ("idempotency_key", "client_request_id", "request_id", "dedupe_key", "client_token", "external_id", "nonce"),
    "post_id": ("post_id", "task_id", "publish_id", "id"),
    "start_date": ("start_date", "date_from", "from_date", "since", "start", "begin_date", "from"),
    "end_date": ("end_date", "date_to", "to_date", "until", "end", "to"),
}

# tool -> (required concepts, optional concepts).
TOOL_NEEDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "account_info": ((), ()),
    "social_accounts": ((), ("action", "platform")),
    "upload_file": (("file_content", "file_name"), ("mime_type",)),
    "social_publish": (("account_id", "file_ref", "caption"), ("action", "platform", "hashtags", "schedule_time", "idempotency_key", "post_id")),
    "social_analytics": (("account_id", "start_date", "end_date"), ("platform",)),
}

# An `action`-style enum value per purpose (e.g. social_publish action=get looks a post up).
ACTION_VALUES = {
    "list": ("list", "get_accounts", "query", "get"),
    "publish": ("publish", "post", "create", "submit"),
    "lookup": ("get", "status", "query", "detail", "get_post", "check"),
}


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@dataclass(frozen=True)
class ToolSpec:
    name: str
    args: Mapping[str, str]  # concept -> the tool's argument name
    properties: Mapping[str, Any]
    required: tuple[str, ...]

    def has(self, concept: str) -> bool:
        return concept in self.args

    def prop(self, concept: str) -> dict:
        return self.properties.get(self.args.get(concept, ""), {}) or {}

    def is_array(self, concept: str) -> bool:
        return self.prop(concept).get("type") == "array"

    def enum_value(self, concept: str, purpose: str) -> str | None:
        """The value of an enum argument (e.g. action) meaning `purpose`, if the enum has one."""
        values = [str(v) for v in self.prop(concept).get("enum") or []]
        return next((v for want in ACTION_VALUES[purpose] for v in values if _norm(v) == _norm(want)), None)


def _match(properties: Mapping[str, Any], candidates: Iterable[str], taken: set[str]) -> str | None:
    by_norm = {_norm(name): name for name in properties if name not in taken}
    for candidate in candidates:
        if candidate in properties and candidate not in taken:
            return candidate
        if (found := by_norm.get(_norm(candidate))) is not None:
            return found
    return None


def tool_spec(name: str, input_schema: Mapping[str, Any] | None) -> ToolSpec:
    required_concepts, optional_concepts = TOOL_NEEDS[name]
    schema = input_schema if isinstance(input_schema, Mapping) else {}
    properties = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
    args: dict[str, str] = {}
    taken: set[str] = set()
    for concept in (*required_concepts, *optional_concepts):
        found = _match(properties, CONCEPTS[concept], taken)
        if found is not None:
            args[concept] = found
            taken.add(found)
        elif concept in required_concepts:
            raise ProtocolMismatch(
                f"出海匠 tool {name!r} has no argument for {concept.replace('_', ' ')} "
                f"(looked for {', '.join(CONCEPTS[concept])}; it declares {', '.join(sorted(properties)) or 'none'})",
                code="missing_argument",
            )
    required = tuple(str(r) for r in schema.get("required") or [])
    unmet = [r for r in required if r not in args.values()]
    if unmet:
        raise ProtocolMismatch(f"出海匠 tool {name!r} requires arguments we cannot fill: {', '.join(unmet)}", code="unknown_required_argument")
    return ToolSpec(name=name, args=args, properties=dict(properties), required=required)


@dataclass(frozen=True)
class ToolMap:
    tools: Mapping[str, ToolSpec]

    @classmethod
    def build(cls, listed: Mapping[str, Mapping[str, Any] | None]) -> ToolMap:
        """`listed`: tool name -> inputSchema, from `tools/list`."""
        missing = [name for name in TOOL_NEEDS if name not in listed]
        if missing:
            raise ProtocolMismatch(f"出海匠's MCP server does not list the tool(s) {', '.join(missing)}", code="missing_tool")
        return cls({name: tool_spec(name, listed[name]) for name in TOOL_NEEDS})

    def __getitem__(self, name: str) -> ToolSpec:
        return self.tools[name]
