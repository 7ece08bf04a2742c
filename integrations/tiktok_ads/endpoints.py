"""One function per TikTok Marketing API v1.3 call, each with its doc URL above it.

Each comment names the page of https://business-api.tiktok.com/portal/docs it follows. Limits stated by the API are
the constants below; functions split work so no single call exceeds them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .client import TikTokAdsClient
from .errors import ApiError, InvalidResponse, Permanent
from .schemas import (
    AccessToken,
    Ad,
    AdGroup,
    AdvertiserInfo,
    AuthorizedAdvertiser,
    Campaign,
    Identity,
    PageInfo,
    ReportRow,
    Video,
    parse,
    parse_list,
)

MAX_PAGE_SIZE = 1000
MAX_PAGES = 1000  # hard cap: 1M rows per listing is far beyond any account we run
MAX_STATUS_IDS = 20
# /adgroup/budget/update/ takes a list of {adgroup_id, budget}; TikTok does not document its
# largest size (reference §3.4: UNCONFIRMED), so stay at the status calls' 20, which the
# sandbox enforces for this call too (40011 above it).
MAX_BUDGET_IDS = 20
MAX_FILTER_IDS = 100
MAX_ADVERTISER_IDS = 100
MAX_REPORT_DAYS_DAILY = 30
MAX_REPORT_DAYS_HOURLY = 1
MAX_REPORT_DAYS_TOTAL = 365
DUPLICATED_MATERIAL_NAME = 40911


def chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def money(value: Decimal | float | int) -> float:
    """Amounts go out as numbers with two decimals (JSON has no Decimal)."""
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def new_request_id() -> str:
    """An idempotency key for campaign / ad group creation: a string holding an int64."""
    return str(10**17 + secrets.randbelow(9 * 10**18 - 10**17))


def paginate(client: TikTokAdsClient, path: str, params: dict[str, Any], *, list_key: str = "list") -> Iterator[dict]:
    """Yield every item of a paged listing at the largest page size, up to MAX_PAGES pages."""
    page = 1
    while True:
        data = client.get(path, {**params, "page": page, "page_size": MAX_PAGE_SIZE})
        if not isinstance(data, dict) or not isinstance(data.get(list_key, []), list):
            raise InvalidResponse(f"{path} answered without a '{list_key}' list")
        yield from data.get(list_key) or []
        info = parse(PageInfo, data.get("page_info") or {})
        if page >= info.total_page or page >= MAX_PAGES:
            return
        page += 1


def _by_ids(client, path, params, id_filter: str, ids: list[str] | None, model, *, filtering=None) -> list:
    filtering = dict(filtering or {})
    if ids is not None and not ids:
        return []
    if ids is None:
        return parse_list(model, list(paginate(client, path, {**params, "filtering": filtering or None})))
    found = []
    for batch in chunks(ids, MAX_FILTER_IDS):
        found += parse_list(model, list(paginate(client, path, {**params, "filtering": {**filtering, id_filter: batch}})))
    return found


# --- OAuth ----------------------------------------------------------------------------

# https://business-api.tiktok.com/portal/docs — Authorization › Advertiser authorization URL
def authorization_url(*, auth_url: str, app_id: str, redirect_uri: str, state: str) -> str:
    return f"{auth_url}?{urlencode({'app_id': app_id, 'state': state, 'redirect_uri': redirect_uri})}"


# https://business-api.tiktok.com/portal/docs — Authorization › Obtain a long-term access token (POST /oauth2/access_token/)
def access_token_get(client: TikTokAdsClient, *, app_id: str, secret: str, auth_code: str) -> AccessToken:
    # An auth_code works once: a blind retry after a timeout would only earn 40110.
    data = client.post("oauth2/access_token", {"app_id": app_id, "secret": secret, "auth_code": auth_code}, auth=False, retry=False)
    return parse(AccessToken, data)


# https://business-api.tiktok.com/portal/docs — Authorization › Get authorized ad accounts (GET /oauth2/advertiser/get/)
def advertiser_get(client: TikTokAdsClient, *, app_id: str, secret: str) -> list[AuthorizedAdvertiser]:
    data = client.get("oauth2/advertiser/get", {"app_id": app_id, "secret": secret})
    return parse_list(AuthorizedAdvertiser, (data or {}).get("list", []))


# https://business-api.tiktok.com/portal/docs — Account › Get ad account details (GET /advertiser/info/)
def advertiser_info(client: TikTokAdsClient, *, advertiser_ids: list[str], fields: list[str] | None = None) -> list[AdvertiserInfo]:
    fields = fields or ["advertiser_id", "name", "currency", "timezone", "status"]
    found = []
    for batch in chunks(advertiser_ids, MAX_ADVERTISER_IDS):
        data = client.get("advertiser/info", {"advertiser_ids": batch, "fields": fields})
        found += parse_list(AdvertiserInfo, (data or {}).get("list", []))
    return found


# --- Creative assets ------------------------------------------------------------------

def md5_of(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# https://business-api.tiktok.com/portal/docs — Creative › Upload a video (POST /file/video/ad/upload/)
def video_upload(client: TikTokAdsClient, *, advertiser_id: str, path: Path, file_name: str) -> Video:
    """Upload by file. file_name must be unique per advertiser, which makes the upload
    idempotent: when a retry after a lost answer meets 40911 (name taken), the video the
    first attempt created is looked up by name and returned if its MD5 matches."""
    signature = md5_of(path)
    fields = {"advertiser_id": advertiser_id, "upload_type": "UPLOAD_BY_FILE", "video_signature": signature, "file_name": file_name}
    try:
        with open(path, "rb") as handle:
            data = client.request("POST", "file/video/ad/upload", data=fields, files={"video_file": (file_name, handle, "video/mp4")})
    except Permanent as exc:
        if exc.code != DUPLICATED_MATERIAL_NAME:
            raise
        existing = video_find(client, advertiser_id=advertiser_id, file_name=file_name)
        if existing is None or existing.signature != signature:
            raise
        return existing
    videos = parse_list(Video, data)
    if not videos:
        raise InvalidResponse("video upload answered with an empty list")
    return videos[0]


# https://business-api.tiktok.com/portal/docs — Creative › Search for videos (GET /file/video/ad/search/)
def video_find(client: TikTokAdsClient, *, advertiser_id: str, file_name: str) -> Video | None:
    items = list(paginate(client, "file/video/ad/search", {"advertiser_id": advertiser_id, "filtering": {"file_names": [file_name]}}))
    videos = [v for v in parse_list(Video, items) if v.file_name == file_name]
    return videos[0] if videos else None


# https://business-api.tiktok.com/portal/docs — Identity › Create an identity (POST /identity/create/)
def identity_create(client: TikTokAdsClient, *, advertiser_id: str, display_name: str, image_uri: str = "") -> str:
    body = {"advertiser_id": advertiser_id, "display_name": display_name}
    if image_uri:
        body["image_uri"] = image_uri
    # No idempotency key here: callers look for the identity by name before creating one.
    data = client.post("identity/create", body, retry=False)
    return parse(Identity, {"identity_id": (data or {}).get("identity_id"), "display_name": display_name}).identity_id


# https://business-api.tiktok.com/portal/docs — Identity › Get identities (GET /identity/get/)
def identity_get(client: TikTokAdsClient, *, advertiser_id: str) -> list[Identity]:
    return parse_list(Identity, list(paginate(client, "identity/get", {"advertiser_id": advertiser_id}, list_key="identity_list")))


# --- Campaigns ------------------------------------------------------------------------

# https://business-api.tiktok.com/portal/docs — Campaign › Create a campaign (POST /campaign/create/)
def campaign_create(client: TikTokAdsClient, *, advertiser_id: str, request_id: str, body: dict[str, Any]) -> str:
    """Create with an idempotency key the caller stored before calling, so a retry
    (here or in a later run) cannot create a second campaign."""
    data = client.post("campaign/create", {**body, "advertiser_id": advertiser_id, "request_id": request_id})
    return parse(Campaign, data).campaign_id


# https://business-api.tiktok.com/portal/docs — Campaign › Get campaigns (GET /campaign/get/)
def campaign_get(client: TikTokAdsClient, *, advertiser_id: str, campaign_ids: list[str] | None = None, filtering=None) -> list[Campaign]:
    return _by_ids(client, "campaign/get", {"advertiser_id": advertiser_id}, "campaign_ids", campaign_ids, Campaign, filtering=filtering)


# https://business-api.tiktok.com/portal/docs — Campaign › Update a campaign (POST /campaign/update/)
def campaign_update(client: TikTokAdsClient, *, advertiser_id: str, campaign_id: str, changes: dict[str, Any]) -> None:
    client.post("campaign/update", {**changes, "advertiser_id": advertiser_id, "campaign_id": campaign_id})


# https://business-api.tiktok.com/portal/docs — Campaign › Update campaign status (POST /campaign/status/update/)
def campaign_status_update(client: TikTokAdsClient, *, advertiser_id: str, campaign_ids: list[str], operation_status: str) -> list[str]:
    return _status_update(client, "campaign/status/update", "campaign_ids", advertiser_id, campaign_ids, operation_status)


def _status_update(client, path, key, advertiser_id, ids, operation_status) -> list[str]:
    """Status changes take at most 20 ids per call; returns TikTok's request id per batch."""
    request_ids = []
    for batch in chunks(ids, MAX_STATUS_IDS):
        client.post(path, {"advertiser_id": advertiser_id, key: batch, "operation_status": operation_status})
        request_ids.append(client.last_request_id)
    return request_ids


# --- Ad groups ------------------------------------------------------------------------

# https://business-api.tiktok.com/portal/docs — Ad group › Create an ad group (POST /adgroup/create/)
def adgroup_create(client: TikTokAdsClient, *, advertiser_id: str, request_id: str, body: dict[str, Any]) -> str:
    data = client.post("adgroup/create", {**body, "advertiser_id": advertiser_id, "request_id": request_id})
    return parse(AdGroup, data).adgroup_id


# https://business-api.tiktok.com/portal/docs — Ad group › Get ad groups (GET /adgroup/get/)
def adgroup_get(client: TikTokAdsClient, *, advertiser_id: str, adgroup_ids: list[str] | None = None, filtering=None) -> list[AdGroup]:
    return _by_ids(client, "adgroup/get", {"advertiser_id": advertiser_id}, "adgroup_ids", adgroup_ids, AdGroup, filtering=filtering)


# https://business-api.tiktok.com/portal/docs — Ad group › Update an ad group (POST /adgroup/update/)
def adgroup_update(client: TikTokAdsClient, *, advertiser_id: str, adgroup_id: str, changes: dict[str, Any]) -> None:
    client.post("adgroup/update", {**changes, "advertiser_id": advertiser_id, "adgroup_id": adgroup_id})


# https://business-api.tiktok.com/portal/docs — Ad group › Update ad group status (POST /adgroup/status/update/)
def adgroup_status_update(client: TikTokAdsClient, *, advertiser_id: str, adgroup_ids: list[str], operation_status: str) -> list[str]:
    return _status_update(client, "adgroup/status/update", "adgroup_ids", advertiser_id, adgroup_ids, operation_status)


# https://business-api.tiktok.com/portal/docs — Ad group › Update ad group budgets (POST /adgroup/budget/update/; CN docs, not in the official SDK)
def adgroup_budget_update(client: TikTokAdsClient, *, advertiser_id: str, budgets: dict[str, Decimal]) -> list[str]:
    """Many ad groups' daily budgets, MAX_BUDGET_IDS per call; returns TikTok's request id per call."""
    request_ids = []
    for batch in chunks(budgets.items(), MAX_BUDGET_IDS):
        body = {"advertiser_id": advertiser_id, "budget": [{"adgroup_id": gid, "budget": money(amount)} for gid, amount in batch]}
        client.post("adgroup/budget/update", body)
        request_ids.append(client.last_request_id)
    return request_ids


# --- Ads ------------------------------------------------------------------------------

# https://business-api.tiktok.com/portal/docs — Ad › Create an ad (POST /ad/create/)
def ad_create(client: TikTokAdsClient, *, advertiser_id: str, adgroup_id: str, creative: dict[str, Any]) -> str:
    """/ad/create/ has no idempotency key. The creative's ad_name is unique in its ad group,
    so before every retry we look for an ad of that name: a call whose answer was lost
    may have created it already."""
    name = creative["ad_name"]
    attempts = 1 + client.max_retries
    for attempt in range(1, attempts + 1):
        if attempt > 1:
            existing = ad_find(client, advertiser_id=advertiser_id, adgroup_id=adgroup_id, ad_name=name)
            if existing is not None:
                return existing.ad_id
        try:
            data = client.post("ad/create", {"advertiser_id": advertiser_id, "adgroup_id": adgroup_id, "creatives": [creative]}, retry=False)
        except ApiError as exc:
            if not exc.retryable or attempt == attempts:
                raise
            client.sleep(client.backoff_base * (2 ** (attempt - 1)))
            continue
        ad_ids = (data or {}).get("ad_ids")
        if not isinstance(ad_ids, list) or not ad_ids:
            raise InvalidResponse("ad/create answered without ad_ids")
        return str(ad_ids[0])
    raise AssertionError("unreachable")


def ad_find(client: TikTokAdsClient, *, advertiser_id: str, adgroup_id: str, ad_name: str) -> Ad | None:
    ads = ad_get(client, advertiser_id=advertiser_id, filtering={"adgroup_ids": [adgroup_id]})
    matches = [ad for ad in ads if ad.ad_name == ad_name]
    return matches[0] if matches else None


# https://business-api.tiktok.com/portal/docs — Ad › Get ads (GET /ad/get/)
def ad_get(client: TikTokAdsClient, *, advertiser_id: str, ad_ids: list[str] | None = None, filtering=None) -> list[Ad]:
    return _by_ids(client, "ad/get", {"advertiser_id": advertiser_id}, "ad_ids", ad_ids, Ad, filtering=filtering)


# https://business-api.tiktok.com/portal/docs — Ad › Update an ad (POST /ad/update/)
def ad_update(client: TikTokAdsClient, *, advertiser_id: str, adgroup_id: str, creatives: list[dict[str, Any]]) -> None:
    client.post("ad/update", {"advertiser_id": advertiser_id, "adgroup_id": adgroup_id, "creatives": creatives, "patch_update": True})


# https://business-api.tiktok.com/portal/docs — Ad › Update ad status (POST /ad/status/update/)
def ad_status_update(client: TikTokAdsClient, *, advertiser_id: str, ad_ids: list[str], operation_status: str) -> list[str]:
    return _status_update(client, "ad/status/update", "ad_ids", advertiser_id, ad_ids, operation_status)


# --- Reports --------------------------------------------------------------------------

def date_chunks(start: dt.date, end: dt.date, days: int = MAX_REPORT_DAYS_DAILY) -> Iterator[tuple[dt.date, dt.date]]:
    """Inclusive windows of at most `days` days covering start..end."""
    while start <= end:
        stop = min(end, start + dt.timedelta(days=days - 1))
        yield start, stop
        start = stop + dt.timedelta(days=1)


# https://business-api.tiktok.com/portal/docs — Reporting › Run a synchronous report (GET /report/integrated/get/)
def report_integrated_get(
    client: TikTokAdsClient,
    *,
    advertiser_id: str,
    data_level: str,
    dimensions: list[str],
    metrics: list[str],
    start_date: dt.date,
    end_date: dt.date,
    filtering: list[dict[str, Any]] | None = None,
) -> Iterator[ReportRow]:
    """A synchronous BASIC report, paged at 1000 rows and split into windows the API
    accepts: 30 days when broken down by day, 1 day by hour, 365 days without a time dimension."""
    if "stat_time_hour" in dimensions:
        days = MAX_REPORT_DAYS_HOURLY
    elif "stat_time_day" in dimensions:
        days = MAX_REPORT_DAYS_DAILY
    else:
        days = MAX_REPORT_DAYS_TOTAL
    for window_start, window_end in date_chunks(start_date, end_date, days):
        params = {
            "advertiser_id": advertiser_id,
            "report_type": "BASIC",
            "data_level": data_level,
            "dimensions": dimensions,
            "metrics": metrics,
            "start_date": window_start.isoformat(),
            "end_date": window_end.isoformat(),
            "filtering": filtering,
        }
        for row in paginate(client, "report/integrated/get", params):
            yield ReportRow.from_api(row)
