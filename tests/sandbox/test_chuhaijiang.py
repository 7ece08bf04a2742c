"""The 出海匠 stand-in's MCP endpoint, driven with raw JSON-RPC over Django's test client."""

import base64
import json

import pytest

from sandbox.chuhaijiang.models import SbChjKey, SbChjPost
from sandbox.chuhaijiang.server import OTHER_TOOLS, TOOLS
from sandbox.models import SbOrganicAccount, SbOrganicPost

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/sandbox/chuhaijiang/mcp"
KEY = "sk_live_sandbox"
HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}


def rpc(client, method, params=None, *, key=KEY, query=""):
    body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or {}}
    headers = {**HEADERS, **({"X-API-Key": key} if key else {})}
    return client.post(URL + query, json.dumps(body), content_type="application/json", headers=headers)


def call(client, name, arguments=None, **kwargs):
    response = rpc(client, "tools/call", {"name": name, "arguments": arguments or {}}, **kwargs)
    assert response.status_code == 200, response.content
    return response.json()["result"]


def test_tools_list_has_chuhaijiangs_tool_names(client):
    response = rpc(client, "tools/list")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    tools = {tool["name"]: tool for tool in response.json()["result"]["tools"]}
    assert set(tools) == set(TOOLS) and len(tools) == 19 and set(OTHER_TOOLS) < set(tools)
    assert tools["upload_file"]["inputSchema"]["required"] == ["filename", "content_base64"]
    assert "schedule_time" in tools["social_publish"]["inputSchema"]["properties"]


def test_auth_401_and_402(client):
    assert rpc(client, "tools/list", key="").status_code == 401
    response = rpc(client, "tools/list", key="sk_live_wrong")
    assert response.status_code == 401 and response.json()["error"]["code"] == -32001
    assert rpc(client, "tools/list", key="", query=f"?api_key={KEY}").status_code == 200  # the query parameter works too
    SbChjKey.objects.filter(key=KEY).update(credits=0)
    response = rpc(client, "tools/list")
    assert response.status_code == 402 and "insufficient balance" in response.json()["error"]["message"]


def test_get_is_not_allowed_in_stateless_json_mode(client):
    assert client.get(URL, headers={"X-API-Key": KEY, "Accept": "text/event-stream"}).status_code == 405


def test_upload_and_publish_once_per_idempotency_key(client):
    account = call(client, "social_accounts")["structuredContent"]["accounts"][0]
    assert SbOrganicAccount.objects.get(account_key=account["account_id"]).followers == account["followers"]
    upload = call(client, "upload_file", {"filename": "a.mp4", "content_base64": base64.b64encode(b"\x00" * 64).decode()})
    file_id = upload["structuredContent"]["file_id"]
    args = {"account_id": account["account_id"], "file_id": file_id, "content": "hello #x", "idempotency_key": "k1"}
    first = call(client, "social_publish", args)["structuredContent"]
    again = call(client, "social_publish", args)["structuredContent"]
    assert first["created"] is True and again["created"] is False and again["post_id"] == first["post_id"]
    assert json.loads(call(client, "social_publish", args)["content"][0]["text"])["post_id"] == first["post_id"]
    assert SbChjPost.objects.count() == 1 and SbOrganicPost.objects.filter(post_key=first["post_id"]).exists()
    got = call(client, "social_publish", {"action": "get", "idempotency_key": "k1"})["structuredContent"]
    assert got["post_id"] == first["post_id"] and got["status"] == "published"
    assert SbChjKey.objects.get(key=KEY).credits == 1000 - 2


def test_refusals_are_tool_errors(client):
    result = call(client, "social_publish", {"account_id": "nope", "file_id": "f", "content": "x"})
    assert result["isError"] is True and "social account not found" in result["content"][0]["text"]
    result = call(client, "social_analytics", {"account_id": "nope", "start_date": "2026-01-01", "end_date": "2026-01-02", "x": 1})
    assert result["isError"] is True and "unknown arguments" in result["content"][0]["text"]
    assert call(client, "search", {"query": "blender"})["isError"] is True
