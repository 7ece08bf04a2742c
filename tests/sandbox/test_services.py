"""sandbox.services: what the rest of adloop uses to set up the pretend TikTok."""

import io
import re

import pytest

from sandbox import services
from sandbox.models import SbAd, SbApp, SbToken
from sandbox.tiktok.media import probe

from .conftest import mp4_bytes

pytestmark = pytest.mark.django_db


def test_app_ensure_creates_once_and_updates_the_secret():
    first = services.sandbox_app_ensure(app_id="7100000000000000001", secret="a")
    second = services.sandbox_app_ensure(app_id="7100000000000000001", secret="b")

    assert first.pk == second.pk and SbApp.objects.get().secret == "b"


def test_an_advertiser_gets_a_19_digit_id_and_a_pixel(sb_app):
    advertiser = services.sandbox_advertiser_create(app=sb_app, name="Shop", currency="EUR", timezone="Etc/GMT+8")

    assert re.fullmatch(r"\d{19}", advertiser.advertiser_id) and advertiser.pixel_id
    assert (advertiser.currency, advertiser.timezone, advertiser.status) == ("EUR", "Etc/GMT+8", "STATUS_ENABLE")


def test_an_advertiser_needs_a_real_timezone(sb_app):
    with pytest.raises(ValueError, match="timezone"):
        services.sandbox_advertiser_create(app=sb_app, name="Shop", timezone="Mars/Olympus")


def test_a_token_covers_the_advertisers_given(sb_app, sb_advertiser):
    raw = services.sandbox_token_issue(app=sb_app, advertisers=[sb_advertiser])

    assert list(SbToken.objects.get(token=raw).advertisers.all()) == [sb_advertiser]


def test_a_token_cannot_cover_another_apps_advertiser(sb_advertiser):
    other_app = services.sandbox_app_ensure(app_id="7100000000000000002", secret="x")

    with pytest.raises(ValueError, match="another app"):
        services.sandbox_token_issue(app=other_app, advertisers=[sb_advertiser])


def test_default_setup_gives_the_configured_app_one_demo_advertiser(settings):
    app = services.sandbox_default_setup()
    again = services.sandbox_default_setup()

    assert (app.app_id, app.secret) == (settings.TIKTOK_APP_ID, settings.TIKTOK_APP_SECRET)
    assert again.pk == app.pk
    assert [a.name for a in app.advertisers.all()] == ["adloop Demo Shop"]


def test_object_ids_look_like_tiktoks():
    assert re.fullmatch(r"17\d{17}", services.new_object_id())
    assert re.fullmatch(r"v10033g50000[a-z0-9]{20}", services.new_video_id())


def test_only_ads_whose_whole_chain_is_enabled_are_delivering(api, adv_id, make_ad):
    live, paused = make_ad(), make_ad()
    api.post("adgroup/status/update/", {
        "advertiser_id": adv_id, "adgroup_ids": [SbAd.objects.get(ad_id=paused).adgroup.adgroup_id], "operation_status": "DISABLE",
    })

    assert [ad.ad_id for ad in SbAd.objects.delivering()] == [live]


def test_probe_reads_size_and_duration_from_the_moov_box():
    info = probe(io.BytesIO(mp4_bytes(width=1080, height=1920, seconds=12)))

    assert (info.width, info.height, info.duration) == (1080, 1920, 12.0)
