"""Every POST form of the back office carries Django's CSRF token, and the campaigns page's
actions refuse a POST without one (403, nothing changed) while the same POST with it works."""

from decimal import Decimal
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from campaigns.models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus, Stage
from campaigns.services import ad_launch
from creatives.models import Product, VideoJob
from sandbox.models import SbAd, SbCampaign
from scheduler.models import ActionLog
from scheduler.services import Actor

pytestmark = pytest.mark.django_db


class PostForms(HTMLParser):
    """Each <form method="post"> of a page: its action and the names of its inputs."""

    def __init__(self, html: str):
        super().__init__()
        self.forms: list[dict] = []
        self.open: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self.open = {"action": attrs.get("action"), "inputs": []}
            self.forms.append(self.open)
        elif tag == "input" and self.open is not None:
            self.open["inputs"].append(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "form":
            self.open = None


@pytest.fixture
def boss(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw"))
    return client


@pytest.fixture
def campaign():
    """Local rows only: enough for the detail page to render its action forms."""
    advertiser = AdvertiserAccount.objects.create(advertiser_id="7300000001", name="Shop", timezone="UTC", access_token="t")
    product = Product.objects.create(name="Portable Blender")
    campaign = Campaign.objects.create(
        campaign_id="1800000001",
        request_id="c1",
        advertiser=advertiser,
        product=product,
        name="Blender · launch",
        objective="VIDEO_VIEWS",
        stage=Stage.LAUNCH,
        status=OperationStatus.ENABLE,
    )
    adgroup = AdGroup.objects.create(
        adgroup_id="1700000001",
        request_id="g1",
        campaign=campaign,
        name="group",
        status=OperationStatus.ENABLE,
        billing_event="CPV",
        optimization_goal="ENGAGED_VIEW",
        bid_type="BID_TYPE_CUSTOM",
        budget=Decimal("50"),
    )
    job = VideoJob.objects.create(product=product, status=VideoJob.Status.DONE, progress=100)
    Ad.objects.create(ad_id="1600000001", adgroup=adgroup, job=job, name="ad", status=OperationStatus.ENABLE, ad_text="Hi")
    return campaign


def pages(campaign) -> list[str]:
    return [
        reverse("campaigns:list"),
        reverse("campaigns:detail", args=[campaign.pk]),
        reverse("campaigns:ad_new"),
        reverse("analytics:dashboard"),
        reverse("optimization:queue"),
        reverse("admin:index"),
        reverse("admin:campaigns_campaign_changelist"),
        reverse("admin:scheduler_actionlog_changelist"),
    ]


def test_every_post_form_of_every_page_carries_the_csrf_token(boss, campaign):
    for path in pages(campaign):
        response = boss.get(path)
        assert response.status_code == HTTPStatus.OK, path
        forms = PostForms(response.content.decode()).forms

        assert forms, f"{path} has no POST form (the language switch at least)"
        for form in forms:
            assert "csrfmiddlewaretoken" in form["inputs"], f"{path}: form posting to {form['action']} has no CSRF token"


def test_the_login_page_has_the_language_switch_with_its_token(client):
    forms = PostForms(client.get(reverse("admin:login")).content.decode()).forms

    assert reverse("set_language") in {form["action"] for form in forms}
    assert all("csrfmiddlewaretoken" in form["inputs"] for form in forms)


def test_the_detail_page_has_the_action_forms_this_test_is_about(boss, campaign):
    actions = {
        form["action"] for form in PostForms(boss.get(reverse("campaigns:detail", args=[campaign.pk])).content.decode()).forms
    }

    ad = Ad.objects.get()
    assert {reverse("campaigns:campaign_action", args=[campaign.pk]), reverse("campaigns:ad_action", args=[ad.pk])} <= actions


# --- the token is enforced ---------------------------------------------------------------


@pytest.fixture
def strict(django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_superuser("strict", password="pw"))
    return client


def token_of(client: Client, path: str) -> str:
    client.get(path)  # sets the CSRF cookie, as a browser's first visit does
    return client.cookies[settings.CSRF_COOKIE_NAME].value


@pytest.mark.django_db(transaction=True)
def test_the_actions_refuse_a_post_without_the_token_and_change_nothing(strict, sandbox_http, advertiser, make_job):
    ad = ad_launch(job=make_job(), advertiser=advertiser, stage=Stage.LAUNCH, budget=Decimal("50"), actor=Actor.auto())
    campaign = ad.adgroup.campaign
    other_job = make_job()
    logged = ActionLog.objects.count()
    posts = [
        (reverse("campaigns:ad_action", args=[ad.pk]), {"action": "pause"}),
        (reverse("campaigns:campaign_action", args=[campaign.pk]), {"action": "pause"}),
        (reverse("campaigns:campaign_action", args=[campaign.pk]), {"action": "stage", "stage": "heat"}),
        (reverse("campaigns:ad_new"), {"advertiser": advertiser.pk, "jobs": [other_job.pk], "stage": "launch", "budget": "40"}),
    ]

    for path, data in posts:
        assert strict.post(path, data).status_code == HTTPStatus.FORBIDDEN, path

    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "ENABLE"
    assert SbCampaign.objects.get().operation_status == "ENABLE"
    assert Ad.objects.count() == 1 and ActionLog.objects.count() == logged

    # The same POST with the page's token goes through: the 403 above was the missing token.
    token = token_of(strict, reverse("campaigns:detail", args=[campaign.pk]))
    response = strict.post(reverse("campaigns:ad_action", args=[ad.pk]), {"action": "pause", "csrfmiddlewaretoken": token})

    assert response.status_code == HTTPStatus.FOUND
    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "DISABLE"
