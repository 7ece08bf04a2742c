"""The 出海匠 provider against the sandbox's MCP server, over real streamable HTTP (live_server)."""

import datetime as dt

import pytest

from integrations.chuhaijiang import ChuhaijiangProvider
from integrations.publishing import AccountError, PostRequest, ProtocolMismatch, PublishStatus, Rejected
from sandbox.chuhaijiang import server
from sandbox.chuhaijiang.models import SbChjKey, SbChjPost
from sandbox.market.clock import market_today
from sandbox.market.engine import market_advance_day
from sandbox.models import SbOrganicPost

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "sk_live_sandbox"


@pytest.fixture
def url(live_server):
    return f"{live_server.url}/sandbox/chuhaijiang/mcp"


@pytest.fixture
def chj(url):
    return ChuhaijiangProvider(url, KEY, timeout=10)


def post(account_id, demo_mp4, **kwargs):
    return PostRequest(account_id=account_id, video_path=demo_mp4, title="Fresh juice anywhere", hashtags=["blender", "#kitchen"], **kwargs)


def test_account_info_and_accounts(chj):
    info = chj.account_info()
    assert info["credits"] == 1000
    accounts = chj.accounts()
    assert [a.handle for a in accounts] == ["adloop.demo", "adloop.kitchen", "adloop.deals"]
    assert all(a.account_id.startswith("chj_") and a.followers > 0 for a in accounts)
    assert chj.name == "chuhaijiang" and chj.can_schedule is True


def test_publish_uploads_the_video_and_registers_the_post(chj, demo_mp4):
    account = chj.accounts()[0]
    result = chj.publish(post(account.account_id, demo_mp4, idempotency_key="job-1:acct-1"))

    assert result.status == PublishStatus.PUBLISHED and result.remote_id.startswith("p_") and result.post_id.isdigit()
    stored = SbChjPost.objects.get(post_id=result.remote_id)
    assert stored.content == "Fresh juice anywhere" and stored.hashtags == ["blender", "kitchen"]
    with stored.file.file.open("rb") as handle:
        assert handle.read() == demo_mp4.read_bytes()
    assert SbOrganicPost.objects.filter(account__account_key=account.account_id, post_key=result.remote_id).count() == 1
    assert chj.publish_status(account_id=account.account_id, remote_id=result.remote_id) == result


def test_the_same_idempotency_key_posts_once(chj, demo_mp4):
    account_id = chj.accounts()[1].account_id
    first = chj.publish(post(account_id, demo_mp4, idempotency_key="job-7:acct-2"))
    again = chj.publish(post(account_id, demo_mp4, idempotency_key="job-7:acct-2"))
    other = chj.publish(post(account_id, demo_mp4, idempotency_key="job-8:acct-2"))

    assert again.remote_id == first.remote_id and other.remote_id != first.remote_id
    assert SbChjPost.objects.filter(idempotency_key="job-7:acct-2").count() == 1
    assert SbChjKey.objects.get(key=KEY).credits == 1000 - 4  # two uploads + two publishes; the retry cost nothing


def test_a_scheduled_post_waits_for_its_day(chj, demo_mp4):
    account_id = chj.accounts()[0].account_id
    when = dt.datetime.combine(market_today() + dt.timedelta(days=2), dt.time(9), tzinfo=dt.UTC)
    result = chj.publish(post(account_id, demo_mp4, idempotency_key="sched-1", scheduled_at=when))
    assert result.status == PublishStatus.SCHEDULED and result.scheduled_by_provider and result.post_id == ""


def test_analytics_after_a_market_day(chj, demo_mp4):
    account = chj.accounts()[2]
    chj.publish(post(account.account_id, demo_mp4, idempotency_key="stats-1"))
    day = market_today()
    market_advance_day()

    days = chj.account_stats(account_id=account.account_id, start=day - dt.timedelta(days=3), end=day)

    assert [d.date for d in days] == [day]
    assert days[0].video_views > 0 and days[0].likes >= 0
    from sandbox.market.organic import organic_daily

    row = organic_daily(account_key=account.account_id, start=day, end=day).get()
    assert (days[0].video_views, days[0].likes, days[0].shares, days[0].comments, days[0].followers_gained) == (
        row.video_views, row.likes, row.shares, row.comments, row.followers_gained)
    assert days[0].followers == account.followers + row.followers_gained


def test_a_bad_key_is_an_account_error(url):
    with pytest.raises(AccountError, match="bad API key"):
        ChuhaijiangProvider(url, "sk_live_nope", timeout=10).accounts()


def test_the_key_as_query_parameter(url):
    assert len(ChuhaijiangProvider(f"{url}?api_key={KEY}", "", timeout=10).accounts()) == 3


def test_no_credit_is_an_account_error(chj, demo_mp4):
    account_id = chj.accounts()[0].account_id
    SbChjKey.objects.filter(key=KEY).update(credits=1)  # enough for the upload, not for the publish
    with pytest.raises(AccountError, match="no credit"):
        chj.publish(post(account_id, demo_mp4))
    with pytest.raises(AccountError, match="no credit"):  # now 0: the gateway answers 402 to everything
        chj.account_info()


def test_a_tool_refusal_is_rejected(chj, demo_mp4):
    with pytest.raises(Rejected, match="social account not found"):
        chj.publish(post("chj_unknown", demo_mp4))


def test_a_schema_missing_an_argument_is_a_protocol_mismatch(chj, monkeypatch):
    description, schema = server.TOOLS["social_publish"]
    properties = {k: v for k, v in schema["properties"].items() if k != "file_id"}
    monkeypatch.setitem(server.TOOLS, "social_publish", (description, {**schema, "properties": properties}))
    with pytest.raises(ProtocolMismatch, match="'social_publish' has no argument for file ref"):
        chj.accounts()


def test_a_missing_tool_is_a_protocol_mismatch(chj, monkeypatch):
    monkeypatch.delitem(server.TOOLS, "social_analytics")
    with pytest.raises(ProtocolMismatch, match="social_analytics"):
        chj.account_info()


def test_without_a_schedule_argument_the_provider_cannot_schedule(chj, monkeypatch):
    description, schema = server.TOOLS["social_publish"]
    properties = {k: v for k, v in schema["properties"].items() if k != "schedule_time"}
    monkeypatch.setitem(server.TOOLS, "social_publish", (description, {**schema, "properties": properties}))
    assert chj.can_schedule is False


def test_an_unexpected_result_shape_is_a_protocol_mismatch(chj, monkeypatch):
    monkeypatch.setitem(server.HANDLERS, "social_accounts", lambda key, args: {"accounts": "none"})
    with pytest.raises(ProtocolMismatch, match="social_accounts"):
        chj.accounts()
    monkeypatch.setitem(server.HANDLERS, "social_accounts", lambda key, args: {"accounts": [{"username": "x"}]})
    with pytest.raises(ProtocolMismatch, match="without an id"):
        chj.accounts()


def test_an_unreachable_server_is_transient():
    from integrations.publishing import Transient

    with pytest.raises(Transient):
        ChuhaijiangProvider("http://127.0.0.1:9/mcp", KEY, timeout=2).accounts()


@pytest.mark.parametrize(("status", "error"), [(429, "RateLimited"), (503, "Transient"), (500, "Transient"), (413, "Rejected"), (404, "ProtocolMismatch")])
def test_gateway_statuses(chj, monkeypatch, status, error):
    from integrations import publishing
    from sandbox.chuhaijiang import views

    monkeypatch.setattr(views, "_run_asgi", lambda key_pk, scope, body: (status, [(b"retry-after", b"7")], b"busy"))
    with pytest.raises(getattr(publishing, error)) as caught:
        chj.accounts()
    if status == 429:
        assert caught.value.retry_after_s == 7


def test_an_insufficient_balance_tool_error_is_an_account_error(chj, monkeypatch):
    def broke(key, args):
        raise server.ToolError("insufficient balance: top up your API credits")

    monkeypatch.setitem(server.HANDLERS, "social_accounts", broke)
    with pytest.raises(AccountError, match="no credit"):
        chj.accounts()


def test_a_video_larger_than_the_default_body_limits(chj, tmp_path):
    """5 MB of video is ~6.7 MB of base64: past Django's 2.5 MB and the SDK's 4 MiB defaults."""
    video = tmp_path / "big.mp4"
    video.write_bytes(bytes(range(256)) * (5 * 1024 * 1024 // 256))
    result = chj.publish(post(chj.accounts()[0].account_id, video, idempotency_key="big-1"))
    assert SbChjPost.objects.get(post_id=result.remote_id).file.size == 5 * 1024 * 1024
