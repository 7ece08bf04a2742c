"""Object endpoints: OAuth, advertiser, video, identity, campaign, ad group, ad."""

import hashlib
import json
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses

from integrations.tiktok_ads import endpoints
from integrations.tiktok_ads.errors import InvalidResponse, Permanent, Transient
from integrations.tiktok_ads.schemas import AccessToken, Ad, AdGroup, Campaign, Video

from .fakes import TOKEN, body, calls_to, endpoint, json_param, multipart, page, query

ADVERTISER = "7000000000000000001"


def timeout():
    return requests.exceptions.ReadTimeout("read timed out")


def echo_filtered(id_key, list_key="list"):
    """A callback answering a filtered GET with one object per id asked for."""

    def answer(request):
        filtering = json.loads(parse_qs(urlsplit(request.url).query)["filtering"][0])
        items = [{id_key: int(value)} for value in filtering[f"{id_key}s"]]
        return 200, {}, json.dumps({"code": 0, "message": "OK", "request_id": "r", "data": page(items)})

    return answer


# --- OAuth -----------------------------------------------------------------------------


def test_authorization_url_carries_app_id_state_and_the_encoded_redirect_uri():
    url = endpoints.authorization_url(
        auth_url="https://business-api.tiktok.com/portal/auth",
        app_id="app-1",
        redirect_uri="https://adloop.example.test/oauth/callback?next=/a b",
        state="st4te",
    )

    assert url.startswith("https://business-api.tiktok.com/portal/auth?")
    assert "redirect_uri=https%3A%2F%2Fadloop.example.test%2Foauth%2Fcallback%3Fnext%3D%2Fa" in url
    assert parse_qs(urlsplit(url).query) == {
        "app_id": ["app-1"],
        "state": ["st4te"],
        "redirect_uri": ["https://adloop.example.test/oauth/callback?next=/a b"],
    }


def test_access_token_get_posts_the_auth_code_without_access_token(client, api, reply):
    reply(
        responses.POST,
        "oauth2/access_token",
        {"access_token": "long-term", "advertiser_ids": [7000000000000000001, "7000000000000000002"], "scope": [4, 5]},
    )

    token = endpoints.access_token_get(client, app_id="app-1", secret="s3cret", auth_code="code-1")

    call = api.calls[0]
    assert call.request.url == endpoint("oauth2/access_token")
    assert body(call) == {"app_id": "app-1", "secret": "s3cret", "auth_code": "code-1"}
    assert "Access-Token" not in call.request.headers
    assert "Authorization" not in call.request.headers
    assert isinstance(token, AccessToken)
    assert token.access_token == "long-term"
    assert token.advertiser_ids == ["7000000000000000001", "7000000000000000002"]
    assert token.scope == [4, 5]


@pytest.mark.parametrize("failure", ["timeout", "50000"])
def test_access_token_get_is_never_retried(client, api, reply, fail, sleeps, failure):
    if failure == "timeout":
        fail(responses.POST, "oauth2/access_token", timeout())
    else:
        reply(responses.POST, "oauth2/access_token", code=50000)

    with pytest.raises(Transient):
        endpoints.access_token_get(client, app_id="app-1", secret="s", auth_code="single-use")

    assert len(api.calls) == 1
    assert sleeps == []


def test_access_token_get_without_access_token_is_an_invalid_response(client, reply):
    reply(responses.POST, "oauth2/access_token", {"advertiser_ids": ["1"]})

    with pytest.raises(InvalidResponse):
        endpoints.access_token_get(client, app_id="a", secret="s", auth_code="c")


def test_advertiser_get_lists_authorized_advertisers(client, api, reply):
    reply(responses.GET, "oauth2/advertiser/get", {"list": [{"advertiser_id": 7000000000000000001, "advertiser_name": "Shop"}]})

    found = endpoints.advertiser_get(client, app_id="app-1", secret="s3cret")

    assert query(api.calls[0]) == {"app_id": "app-1", "secret": "s3cret"}
    assert api.calls[0].request.headers["Access-Token"] == TOKEN
    assert [(a.advertiser_id, a.advertiser_name) for a in found] == [("7000000000000000001", "Shop")]


# --- Advertiser ------------------------------------------------------------------------


def test_advertiser_info_sends_ids_and_fields_as_json_arrays(client, api, reply):
    reply(
        responses.GET,
        "advertiser/info",
        {"list": [{"advertiser_id": 1, "name": "Shop", "currency": "EUR", "timezone": "Etc/GMT+8"}]},
    )

    [info] = endpoints.advertiser_info(client, advertiser_ids=["1"])

    assert json_param(api.calls[0], "advertiser_ids") == ["1"]
    assert json_param(api.calls[0], "fields") == ["advertiser_id", "name", "currency", "timezone", "status"]
    assert (info.advertiser_id, info.name, info.currency, info.timezone) == ("1", "Shop", "EUR", "Etc/GMT+8")


def test_advertiser_info_asks_at_most_100_ids_per_call(client, api, reply):
    ids = [str(n) for n in range(150)]
    reply(responses.GET, "advertiser/info", {"list": [{"advertiser_id": "1"}]})
    reply(responses.GET, "advertiser/info", {"list": [{"advertiser_id": "2"}]})

    found = endpoints.advertiser_info(client, advertiser_ids=ids, fields=["name"])

    assert [json_param(call, "advertiser_ids") for call in api.calls] == [ids[:100], ids[100:]]
    assert json_param(api.calls[0], "fields") == ["name"]
    assert [a.advertiser_id for a in found] == ["1", "2"]


# --- Video -----------------------------------------------------------------------------


@pytest.fixture
def video_file(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"\x00\x00\x00\x18ftypmp42 fake video bytes")
    return path


def md5(path):
    return hashlib.md5(path.read_bytes()).hexdigest()  # noqa: S324 - the API's signature is MD5


def test_video_upload_sends_the_file_and_its_md5_as_multipart(client, api, reply, video_file):
    reply(
        responses.POST,
        "file/video/ad/upload",
        [{"video_id": "v-1", "file_name": "ad-1.mp4", "signature": md5(video_file), "duration": 1.5}],
    )

    video = endpoints.video_upload(client, advertiser_id=ADVERTISER, path=video_file, file_name="ad-1.mp4")

    call = api.calls[0]
    assert call.request.url == endpoint("file/video/ad/upload")
    assert call.request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert call.request.headers["Access-Token"] == TOKEN
    parts = multipart(call)
    assert parts["advertiser_id"] == (None, ADVERTISER.encode())
    assert parts["upload_type"] == (None, b"UPLOAD_BY_FILE")
    assert parts["video_signature"] == (None, md5(video_file).encode())
    assert parts["file_name"] == (None, b"ad-1.mp4")
    assert parts["video_file"] == ("ad-1.mp4", video_file.read_bytes())
    assert isinstance(video, Video)
    assert (video.video_id, video.file_name, video.duration) == ("v-1", "ad-1.mp4", 1.5)


def test_md5_of_is_the_hex_digest_of_the_bytes(video_file):
    assert endpoints.md5_of(video_file) == md5(video_file)


def test_video_upload_retry_sends_the_whole_file_again(client, api, reply, video_file):
    reply(responses.POST, "file/video/ad/upload", code=50000)
    reply(responses.POST, "file/video/ad/upload", [{"video_id": "v-1"}])

    endpoints.video_upload(client, advertiser_id=ADVERTISER, path=video_file, file_name="ad-1.mp4")

    assert len(api.calls) == 2
    assert [multipart(call)["video_file"][1] for call in api.calls] == [video_file.read_bytes()] * 2


def test_video_upload_with_a_taken_name_returns_the_existing_video_when_the_md5_matches(client, api, reply, fail, video_file):
    fail(responses.POST, "file/video/ad/upload", timeout())  # the first upload's answer is lost …
    reply(responses.POST, "file/video/ad/upload", code=40911, message="Duplicated material name")  # … it did land
    reply(
        responses.GET,
        "file/video/ad/search",
        page(
            [
                {"video_id": "v-other", "file_name": "ad-1.mp4x"},
                {"video_id": 42, "file_name": "ad-1.mp4", "signature": md5(video_file)},
            ]
        ),
    )

    video = endpoints.video_upload(client, advertiser_id=ADVERTISER, path=video_file, file_name="ad-1.mp4")

    assert video.video_id == "42"
    search = calls_to(api, "file/video/ad/search")[0]
    assert query(search)["advertiser_id"] == ADVERTISER
    assert json_param(search, "filtering") == {"file_names": ["ad-1.mp4"]}
    assert len(calls_to(api, "file/video/ad/upload")) == 2


def test_video_upload_with_a_taken_name_reraises_when_the_md5_differs(client, api, reply, video_file):
    reply(responses.POST, "file/video/ad/upload", code=40911, message="Duplicated material name", request_id="log-dup")
    reply(responses.GET, "file/video/ad/search", page([{"video_id": "v-9", "file_name": "ad-1.mp4", "signature": "0" * 32}]))

    with pytest.raises(Permanent) as caught:
        endpoints.video_upload(client, advertiser_id=ADVERTISER, path=video_file, file_name="ad-1.mp4")

    assert (caught.value.code, caught.value.request_id) == (40911, "log-dup")
    assert len(calls_to(api, "file/video/ad/upload")) == 1


def test_video_upload_with_a_taken_name_reraises_when_no_video_has_that_name(client, api, reply, video_file):
    reply(responses.POST, "file/video/ad/upload", code=40911)
    reply(responses.GET, "file/video/ad/search", page([]))

    with pytest.raises(Permanent) as caught:
        endpoints.video_upload(client, advertiser_id=ADVERTISER, path=video_file, file_name="ad-1.mp4")

    assert caught.value.code == 40911


def test_video_upload_does_not_search_on_other_permanent_errors(client, api, reply, video_file):
    reply(responses.POST, "file/video/ad/upload", code=40900, message="signature mismatch")

    with pytest.raises(Permanent) as caught:
        endpoints.video_upload(client, advertiser_id=ADVERTISER, path=video_file, file_name="ad-1.mp4")

    assert caught.value.code == 40900
    assert len(api.calls) == 1


@pytest.mark.parametrize("data", [[], {"video_id": "v-1"}], ids=["empty-list", "object"])
def test_video_upload_answer_that_is_not_a_non_empty_list_is_invalid(client, reply, video_file, data):
    reply(responses.POST, "file/video/ad/upload", data)

    with pytest.raises(InvalidResponse):
        endpoints.video_upload(client, advertiser_id=ADVERTISER, path=video_file, file_name="ad-1.mp4")


# --- Identity --------------------------------------------------------------------------


def test_identity_create_posts_the_display_name_and_returns_the_id(client, api, reply):
    reply(responses.POST, "identity/create", {"identity_id": 555})

    identity_id = endpoints.identity_create(client, advertiser_id=ADVERTISER, display_name="Blender Co", image_uri="img-1")

    assert identity_id == "555"
    assert body(api.calls[0]) == {"advertiser_id": ADVERTISER, "display_name": "Blender Co", "image_uri": "img-1"}


def test_identity_create_without_an_identity_id_is_invalid(client, reply):
    reply(responses.POST, "identity/create", {})

    with pytest.raises(InvalidResponse):
        endpoints.identity_create(client, advertiser_id=ADVERTISER, display_name="Blender Co")


def test_identity_get_reads_the_identity_list(client, api, reply):
    reply(
        responses.GET,
        "identity/get",
        {"identity_list": [{"identity_id": "i-1", "display_name": "Shop"}], "page_info": {"total_page": 1}},
    )

    [identity] = endpoints.identity_get(client, advertiser_id=ADVERTISER)

    assert (identity.identity_id, identity.identity_type, identity.display_name) == ("i-1", "CUSTOMIZED_USER", "Shop")
    assert query(api.calls[0])["advertiser_id"] == ADVERTISER


# --- Pagination ------------------------------------------------------------------------


def test_paginate_asks_1000_per_page_and_follows_total_page(client, api, reply):
    reply(responses.GET, "campaign/get", page([{"n": 1}, {"n": 2}], page=1, total_page=3))
    reply(responses.GET, "campaign/get", page([{"n": 3}], page=2, total_page=3))
    reply(responses.GET, "campaign/get", page([{"n": 4}], page=3, total_page=3))

    items = list(endpoints.paginate(client, "campaign/get", {"advertiser_id": ADVERTISER}))

    assert items == [{"n": 1}, {"n": 2}, {"n": 3}, {"n": 4}]
    assert [(query(c)["page"], query(c)["page_size"], query(c)["advertiser_id"]) for c in api.calls] == [
        ("1", "1000", ADVERTISER),
        ("2", "1000", ADVERTISER),
        ("3", "1000", ADVERTISER),
    ]


@pytest.mark.parametrize(
    "data",
    [page([{"n": 1}], total_page=1), page([], total_page=0), {"list": [{"n": 1}]}, {}],
    ids=["one-page", "no-pages", "no-page-info", "empty-data"],
)
def test_paginate_stops_after_the_last_page(client, api, reply, data):
    reply(responses.GET, "campaign/get", data)

    list(endpoints.paginate(client, "campaign/get", {}))

    assert len(api.calls) == 1


def test_paginate_is_lazy(client, api, reply):
    reply(responses.GET, "campaign/get", page([{"n": 1}], page=1, total_page=2))

    first = next(endpoints.paginate(client, "campaign/get", {}))

    assert first == {"n": 1}
    assert len(api.calls) == 1


def test_paginate_stops_at_max_pages(client, api, reply, monkeypatch):
    monkeypatch.setattr(endpoints, "MAX_PAGES", 2)
    reply(responses.GET, "campaign/get", page([{"n": 1}], page=1, total_page=5))
    reply(responses.GET, "campaign/get", page([{"n": 2}], page=2, total_page=5))

    assert list(endpoints.paginate(client, "campaign/get", {})) == [{"n": 1}, {"n": 2}]
    assert len(api.calls) == 2


def test_paginate_retries_a_failed_page_without_restarting(client, api, reply):
    reply(responses.GET, "campaign/get", page([{"n": 1}], page=1, total_page=2))
    reply(responses.GET, "campaign/get", code=50000)
    reply(responses.GET, "campaign/get", page([{"n": 2}], page=2, total_page=2))

    assert list(endpoints.paginate(client, "campaign/get", {})) == [{"n": 1}, {"n": 2}]
    assert [query(call)["page"] for call in api.calls] == ["1", "2", "2"]


@pytest.mark.parametrize("data", [{"list": {"n": 1}}, ["not", "an", "object"]], ids=["list-is-object", "data-is-list"])
def test_paginate_rejects_an_answer_without_a_list(client, reply, data):
    reply(responses.GET, "campaign/get", data)

    with pytest.raises(InvalidResponse):
        list(endpoints.paginate(client, "campaign/get", {}))


# --- Campaigns -------------------------------------------------------------------------


def test_campaign_create_sends_the_callers_request_id_and_returns_the_id(client, api, reply):
    reply(responses.POST, "campaign/create", {"campaign_id": 1800000000000001})

    campaign_id = endpoints.campaign_create(
        client,
        advertiser_id=ADVERTISER,
        request_id="1234567890123",
        body={"campaign_name": "Blender", "objective_type": "TRAFFIC"},
    )

    assert campaign_id == "1800000000000001"
    assert body(api.calls[0]) == {
        "campaign_name": "Blender",
        "objective_type": "TRAFFIC",
        "advertiser_id": ADVERTISER,
        "request_id": "1234567890123",
    }


@pytest.mark.parametrize(
    ("path", "create"), [("campaign/create", endpoints.campaign_create), ("adgroup/create", endpoints.adgroup_create)]
)
def test_create_reuses_the_same_request_id_after_a_timeout(client, api, reply, fail, path, create):
    id_key = "campaign_id" if path.startswith("campaign") else "adgroup_id"
    fail(responses.POST, path, timeout())
    reply(responses.POST, path, {id_key: "99"})

    created = create(client, advertiser_id=ADVERTISER, request_id="987654321", body={"name": "x"})

    assert created == "99"
    assert len(api.calls) == 2
    assert [body(call)["request_id"] for call in api.calls] == ["987654321", "987654321"]
    assert body(api.calls[0]) == body(api.calls[1])


def test_the_body_cannot_override_advertiser_id_or_request_id(client, api, reply):
    reply(responses.POST, "adgroup/create", {"adgroup_id": "5"})

    endpoints.adgroup_create(
        client, advertiser_id=ADVERTISER, request_id="111", body={"advertiser_id": "other", "request_id": "222"}
    )

    assert (body(api.calls[0])["advertiser_id"], body(api.calls[0])["request_id"]) == (ADVERTISER, "111")


def test_new_request_id_is_a_digit_string_that_fits_int64_and_differs_between_calls():
    ids = [endpoints.new_request_id() for _ in range(50)]

    for request_id in ids:
        assert isinstance(request_id, str) and request_id.isdigit()
        assert 0 < int(request_id) < 2**63
    assert len(set(ids)) == len(ids)


def test_campaign_create_answer_without_campaign_id_is_invalid(client, reply):
    reply(responses.POST, "campaign/create", {"campaign_name": "Blender"})

    with pytest.raises(InvalidResponse):
        endpoints.campaign_create(client, advertiser_id=ADVERTISER, request_id="1", body={})


def test_adgroup_create_returns_the_adgroup_id_as_str(client, api, reply):
    reply(responses.POST, "adgroup/create", {"adgroup_id": 1700000000000002})

    assert (
        endpoints.adgroup_create(client, advertiser_id=ADVERTISER, request_id="1", body={"campaign_id": "18"})
        == "1700000000000002"
    )
    assert body(api.calls[0])["campaign_id"] == "18"


def test_campaign_get_returns_typed_campaigns_with_str_ids(client, api, reply):
    reply(
        responses.GET,
        "campaign/get",
        page(
            [
                {
                    "campaign_id": 1800000000000001,
                    "campaign_name": "Blender",
                    "budget": 50.5,
                    "budget_mode": "BUDGET_MODE_DAY",
                    "extra": 1,
                }
            ]
        ),
    )

    [campaign] = endpoints.campaign_get(client, advertiser_id=ADVERTISER)

    assert isinstance(campaign, Campaign)
    assert campaign.campaign_id == "1800000000000001"
    assert campaign.budget == Decimal("50.5")
    assert campaign.model_extra == {"extra": 1}
    assert "filtering" not in query(api.calls[0])


def test_campaign_get_without_campaign_id_in_an_item_is_invalid(client, reply):
    reply(responses.GET, "campaign/get", page([{"campaign_name": "no id"}]))

    with pytest.raises(InvalidResponse):
        endpoints.campaign_get(client, advertiser_id=ADVERTISER)


def test_campaign_get_by_250_ids_makes_3_filtered_calls_of_at_most_100(client, api):
    api.add_callback(responses.GET, endpoint("campaign/get"), callback=echo_filtered("campaign_id"))
    ids = [str(1000 + n) for n in range(250)]

    found = endpoints.campaign_get(client, advertiser_id=ADVERTISER, campaign_ids=ids, filtering={"primary_status": "STATUS_ALL"})

    assert len(api.calls) == 3
    filters = [json_param(call, "filtering") for call in api.calls]
    assert [f["campaign_ids"] for f in filters] == [ids[:100], ids[100:200], ids[200:]]
    assert all(f["primary_status"] == "STATUS_ALL" for f in filters)
    assert all(query(call)["page_size"] == "1000" for call in api.calls)
    assert [c.campaign_id for c in found] == ids


def test_adgroup_get_filters_by_adgroup_ids(client, api):
    api.add_callback(responses.GET, endpoint("adgroup/get"), callback=echo_filtered("adgroup_id"))

    found = endpoints.adgroup_get(client, advertiser_id=ADVERTISER, adgroup_ids=["11", "12"])

    assert json_param(api.calls[0], "filtering") == {"adgroup_ids": ["11", "12"]}
    assert [type(g) for g in found] == [AdGroup, AdGroup]
    assert [g.adgroup_id for g in found] == ["11", "12"]


def test_campaign_update_posts_the_changes(client, api, reply):
    reply(responses.POST, "campaign/update")

    endpoints.campaign_update(client, advertiser_id=ADVERTISER, campaign_id="18", changes={"campaign_name": "New"})

    assert body(api.calls[0]) == {"campaign_name": "New", "advertiser_id": ADVERTISER, "campaign_id": "18"}


def test_adgroup_update_posts_the_changes(client, api, reply):
    reply(responses.POST, "adgroup/update")

    endpoints.adgroup_update(client, advertiser_id=ADVERTISER, adgroup_id="17", changes={"bid_price": 1.5})

    assert body(api.calls[0]) == {"bid_price": 1.5, "advertiser_id": ADVERTISER, "adgroup_id": "17"}


# --- Batched status and budget updates -------------------------------------------------


@pytest.mark.parametrize(
    ("update", "path", "ids_key"),
    [
        (endpoints.campaign_status_update, "campaign/status/update", "campaign_ids"),
        (endpoints.adgroup_status_update, "adgroup/status/update", "adgroup_ids"),
        (endpoints.ad_status_update, "ad/status/update", "ad_ids"),
    ],
)
def test_status_update_of_45_ids_makes_3_calls_of_20_20_5(client, api, reply, update, path, ids_key):
    for n in range(3):
        reply(responses.POST, path, {ids_key: []}, request_id=f"log-{n}")
    ids = [str(n) for n in range(45)]

    request_ids = update(client, advertiser_id=ADVERTISER, **{ids_key: ids}, operation_status="DISABLE")

    assert request_ids == ["log-0", "log-1", "log-2"]
    bodies = [body(call) for call in api.calls]
    assert [b[ids_key] for b in bodies] == [ids[:20], ids[20:40], ids[40:]]
    assert all(b["operation_status"] == "DISABLE" and b["advertiser_id"] == ADVERTISER for b in bodies)


def test_status_update_of_no_ids_sends_nothing(client, api):
    assert endpoints.campaign_status_update(client, advertiser_id=ADVERTISER, campaign_ids=[], operation_status="ENABLE") == []
    assert len(api.calls) == 0


def test_adgroup_budget_update_sends_budgets_as_numbers_with_two_decimals(client, api, reply):
    reply(responses.POST, "adgroup/budget/update", request_id="log-budget")

    request_ids = endpoints.adgroup_budget_update(
        client, advertiser_id=ADVERTISER, budgets={"11": Decimal("12.345"), "12": 20, "13": Decimal("7.1"), "14": 0.1 + 0.2}
    )

    assert request_ids == ["log-budget"]
    sent = body(api.calls[0])
    assert sent == {
        "advertiser_id": ADVERTISER,
        "budget": [
            {"adgroup_id": "11", "budget": 12.35},
            {"adgroup_id": "12", "budget": 20.0},
            {"adgroup_id": "13", "budget": 7.1},
            {"adgroup_id": "14", "budget": 0.3},
        ],
    }
    assert all(isinstance(item["budget"], float) for item in sent["budget"])
    assert b'"budget": "' not in api.calls[0].request.body


def test_adgroup_budget_update_batches_20_adgroups_per_call(client, api, reply):
    reply(responses.POST, "adgroup/budget/update", request_id="log-a")
    reply(responses.POST, "adgroup/budget/update", request_id="log-b")

    request_ids = endpoints.adgroup_budget_update(client, advertiser_id=ADVERTISER, budgets={str(n): 10 for n in range(25)})

    assert request_ids == ["log-a", "log-b"]
    assert [len(body(call)["budget"]) for call in api.calls] == [20, 5]


@pytest.mark.parametrize(("amount", "expected"), [(Decimal("1.005"), 1.01), (Decimal("1.004"), 1.0), (2, 2.0), (0.1 + 0.2, 0.3)])
def test_money_rounds_half_up_to_two_decimals(amount, expected):
    assert endpoints.money(amount) == expected


# --- Ads -------------------------------------------------------------------------------

CREATIVE = {"ad_name": "blender-v1", "ad_format": "SINGLE_VIDEO", "video_id": "v-1", "ad_text": "Fresh juice anywhere"}


def test_ad_create_posts_one_creative_and_returns_the_ad_id(client, api, reply):
    reply(responses.POST, "ad/create", {"ad_ids": [1600000000000003]})

    ad_id = endpoints.ad_create(client, advertiser_id=ADVERTISER, adgroup_id="17", creative=CREATIVE)

    assert ad_id == "1600000000000003"
    assert body(api.calls[0]) == {"advertiser_id": ADVERTISER, "adgroup_id": "17", "creatives": [CREATIVE]}


def test_ad_create_after_a_timeout_returns_the_ad_the_lost_call_created(client, api, reply, fail, sleeps):
    fail(responses.POST, "ad/create", timeout())
    reply(
        responses.GET,
        "ad/get",
        page(
            [
                {"ad_id": "16-other", "ad_name": "blender-v0"},
                {"ad_id": 1600000000000003, "ad_name": "blender-v1", "adgroup_id": 17},
            ]
        ),
    )

    ad_id = endpoints.ad_create(client, advertiser_id=ADVERTISER, adgroup_id="17", creative=CREATIVE)

    assert ad_id == "1600000000000003"
    assert [c.request.url.split("?")[0] for c in api.calls] == [endpoint("ad/create"), endpoint("ad/get")]
    assert len(calls_to(api, "ad/create")) == 1
    lookup = calls_to(api, "ad/get")[0]
    assert json_param(lookup, "filtering") == {"adgroup_ids": ["17"]}
    assert query(lookup)["advertiser_id"] == ADVERTISER
    assert len(sleeps) == 1


def test_ad_create_after_a_timeout_retries_when_no_ad_has_the_name(client, api, reply, fail):
    fail(responses.POST, "ad/create", timeout())
    reply(responses.GET, "ad/get", page([{"ad_id": "16-other", "ad_name": "blender-v0"}]))
    reply(responses.POST, "ad/create", {"ad_ids": ["16-new"]})

    ad_id = endpoints.ad_create(client, advertiser_id=ADVERTISER, adgroup_id="17", creative=CREATIVE)

    assert ad_id == "16-new"
    assert [c.request.url.split("?")[0] for c in api.calls] == [endpoint("ad/create"), endpoint("ad/get"), endpoint("ad/create")]
    assert body(api.calls[0]) == body(api.calls[2])


def test_ad_create_gives_up_after_max_retries(client, api, reply, fail):
    fail(responses.POST, "ad/create", timeout())
    reply(responses.GET, "ad/get", page([]))

    with pytest.raises(Transient):
        endpoints.ad_create(client, advertiser_id=ADVERTISER, adgroup_id="17", creative=CREATIVE)

    assert len(calls_to(api, "ad/create")) == 1 + client.max_retries
    assert len(calls_to(api, "ad/get")) == client.max_retries


def test_ad_create_40002_is_not_retried(client, api, reply, sleeps):
    reply(responses.POST, "ad/create", code=40002, message="ad_text is too long")

    with pytest.raises(Permanent) as caught:
        endpoints.ad_create(client, advertiser_id=ADVERTISER, adgroup_id="17", creative=CREATIVE)

    assert caught.value.code == 40002
    assert len(api.calls) == 1
    assert sleeps == []


@pytest.mark.parametrize("data", [{}, {"ad_ids": []}, {"ad_ids": "16"}], ids=["missing", "empty", "not-a-list"])
def test_ad_create_answer_without_ad_ids_is_invalid(client, reply, data):
    reply(responses.POST, "ad/create", data)

    with pytest.raises(InvalidResponse):
        endpoints.ad_create(client, advertiser_id=ADVERTISER, adgroup_id="17", creative=CREATIVE)


def test_ad_get_returns_typed_ads_with_str_ids(client, api, reply):
    reply(responses.GET, "ad/get", page([{"ad_id": 16, "adgroup_id": 17, "campaign_id": 18, "video_id": 19, "ad_name": "a"}]))

    [ad] = endpoints.ad_get(client, advertiser_id=ADVERTISER, ad_ids=["16"])

    assert isinstance(ad, Ad)
    assert (ad.ad_id, ad.adgroup_id, ad.campaign_id, ad.video_id) == ("16", "17", "18", "19")
    assert json_param(api.calls[0], "filtering") == {"ad_ids": ["16"]}


def test_ad_update_patches_the_creatives(client, api, reply):
    reply(responses.POST, "ad/update")

    endpoints.ad_update(client, advertiser_id=ADVERTISER, adgroup_id="17", creatives=[{"ad_id": "16", "ad_text": "New"}])

    assert body(api.calls[0]) == {
        "advertiser_id": ADVERTISER,
        "adgroup_id": "17",
        "creatives": [{"ad_id": "16", "ad_text": "New"}],
        "patch_update": True,
    }
