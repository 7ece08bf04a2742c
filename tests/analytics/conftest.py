"""Ads launched for real in the sandbox, and the market's daily numbers written beside them."""

import threading
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection

from adloop import clock
from campaigns.models import Ad, AdvertiserAccount, OperationStatus, Stage
from campaigns.services import ad_launch
from sandbox import services as sandbox
from sandbox.models import SbAd, SbDailyStat
from scheduler.services import Actor


@pytest.fixture
def today(advertiser):
    return clock.today(advertiser.timezone)


@pytest.fixture
def launch():
    def launch(job, advertiser, stage=Stage.LAUNCH) -> Ad:
        return ad_launch(job=job, advertiser=advertiser, stage=stage, budget=Decimal("50"), actor=Actor.auto())

    return launch


@pytest.fixture
def other_advertiser(sandbox_app):
    remote = sandbox.sandbox_advertiser_create(app=sandbox_app, name="Second Shop", currency="USD", timezone="UTC")
    token = sandbox.sandbox_token_issue(app=sandbox_app, advertisers=[remote])
    return AdvertiserAccount.objects.create(
        advertiser_id=remote.advertiser_id, name=remote.name, currency="USD", timezone="UTC",
        access_token=token, pixel_id=remote.pixel_id,
    )


def market(ad: Ad | str, date, **values) -> SbDailyStat:
    """Play the market: what TikTok delivered for `ad` (ours, or a remote ad id) on `date`."""
    remote = SbAd.objects.get(ad_id=ad if isinstance(ad, str) else ad.ad_id)
    stat, _ = SbDailyStat.objects.update_or_create(advertiser=remote.advertiser, ad=remote, date=date, defaults=values)
    return stat


def remote_copies(ad: Ad, count: int) -> list[str]:
    """`count` more ads in the sandbox, in `ad`'s ad group, that adloop does not know of."""
    template = SbAd.objects.get(ad_id=ad.ad_id)
    copies = [
        SbAd(ad_id=sandbox.new_object_id(), advertiser=template.advertiser, campaign=template.campaign, adgroup=template.adgroup,
             ad_name=f"{template.ad_name} #{index}", video=template.video, ad_text=template.ad_text)
        for index in range(count)
    ]
    SbAd.objects.bulk_create(copies)
    return [copy.ad_id for copy in copies]


def copies(ad: Ad, count: int) -> list[Ad]:
    """`count` more ads like `ad`, known to both the sandbox and adloop (launching 50 ads over
    HTTP would test the launcher, not ingestion)."""
    ad_ids = remote_copies(ad, count)
    return Ad.objects.bulk_create([
        Ad(ad_id=ad_id, adgroup=ad.adgroup, job=ad.job, name=f"{ad.name} #{index}", status=OperationStatus.ENABLE,
           video_id=ad.video_id, ad_text=ad.ad_text)
        for index, ad_id in enumerate(ad_ids)
    ])


@contextmanager
def queries_of_this_thread():
    """SQL run by this thread only: with SQLite in memory the live server shares our connection."""
    me = threading.get_ident()
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        if threading.get_ident() == me:
            seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen
