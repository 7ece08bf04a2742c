"""The one table that maps our concepts to 出海匠's (unpublished) tool argument names."""

import pytest

from integrations.chuhaijiang.schema import ToolMap, tool_spec
from integrations.publishing import ProtocolMismatch


def test_other_spellings_are_matched():
    spec = tool_spec("social_publish", {"type": "object", "properties": {
        "accountIds": {"type": "array"}, "videoUrl": {"type": "string"}, "caption": {"type": "string"},
        "tags": {"type": "string"}, "publishTime": {"type": "string"}, "requestId": {"type": "string"},
    }, "required": ["accountIds", "videoUrl", "caption"]})
    assert dict(spec.args) == {
        "account_id": "accountIds", "file_ref": "videoUrl", "caption": "caption", "hashtags": "tags",
        "schedule_time": "publishTime", "idempotency_key": "requestId",
    }
    assert spec.is_array("account_id") and not spec.is_array("hashtags")


def test_a_required_argument_we_cannot_fill_is_a_mismatch():
    schema = {"type": "object", "properties": {"filename": {}, "content_base64": {}, "folder_id": {}}, "required": ["folder_id"]}
    with pytest.raises(ProtocolMismatch, match="'upload_file' requires arguments we cannot fill: folder_id"):
        tool_spec("upload_file", schema)


def test_missing_tools_and_arguments_are_named():
    with pytest.raises(ProtocolMismatch, match="does not list the tool.s. upload_file, social_analytics"):
        ToolMap.build({"account_info": {}, "social_accounts": {}, "social_publish": {}})
    with pytest.raises(ProtocolMismatch, match="'social_analytics' has no argument for start date"):
        tool_spec("social_analytics", {"type": "object", "properties": {"account_id": {}, "end_date": {}}})
