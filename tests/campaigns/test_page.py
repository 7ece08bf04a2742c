"""The campaigns page (PRD 12.3): the list with today's numbers, filters, sorting and paging at a
fixed query count; a campaign's detail with its creatives and trend data; pause / resume / stage
actions and new ads from finished videos, over live HTTP against the sandbox."""

import datetime as dt
import json
from decimal import Decimal
from html.parser import HTMLParser
from http import HTTPStatus
from itertools import count

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from adloop import clock
from analytics.models import PerformanceDaily
from campaigns.models import Ad, AdGroup, AdvertiserAccount, Campaign, OperationStatus, Stage
from campaigns.services import ad_launch
from creatives.models import Product, VideoJob
from sandbox.models import SbAd, SbAdGroup, SbCampaign
from scheduler.models import ActionLog
from scheduler.services import Actor

pytestmark = pytest.mark.django_db
live = pytest.mark.django_db(transaction=True)

LIST = reverse("campaigns:list")
NEW = reverse("campaigns:ad_new")
serial = count(1)


# --- a small DOM, enough to read the page's data attributes ------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent=None):
        self.tag, self.attrs, self.parent, self.children = tag, attrs, parent, []

    def text(self) -> str:
        return " ".join(" ".join(c.split()) if isinstance(c, str) else c.text() for c in self.children).strip()

    def find_all(self, tag=None, **attrs) -> list["Node"]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and all(
                    child.attrs.get(name.replace("_", "-")) == value
                    if value is not True
                    else name.replace("_", "-") in child.attrs
                    for name, value in attrs.items()
                ):
                    found.append(child)
                found += child.find_all(tag, **attrs)
        return found

    def find(self, tag=None, **attrs) -> "Node | None":
        nodes = self.find_all(tag, **attrs)
        return nodes[0] if nodes else None


class Tree(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Node("#root", {})
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or "" for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def page(response) -> Node:
    assert response.status_code == HTTPStatus.OK, response.status_code
    return Tree(response.content.decode()).root


def campaign_rows(response) -> list[dict]:
    """Each row of #campaign-list: its campaign pk and its data-field cells' data-value / text."""
    table = page(response).find("table", id="campaign-list")
    rows = []
    for tr in table.find_all("tr", data_campaign_id=True):
        cells = {td.attrs["data-field"]: td for td in tr.find_all("td", data_field=True)}
        rows.append(
            {
                "pk": int(tr.attrs["data-campaign-id"]),
                **{
                    field: cells[field].attrs.get("data-value", cells[field].text())
                    for field in ("status", "stage", "spend", "roas")
                },
                "link": cells["name"].find("a").attrs["href"],
            }
        )
    return rows


def listed(client, **params) -> list[int]:
    return [row["pk"] for row in campaign_rows(client.get(LIST, params))]


def flashed(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


# --- people ------------------------------------------------------------------------------


@pytest.fixture
def boss(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw"))
    return client


@pytest.fixture
def viewer(client, django_user_model):
    """Staff who may look at campaigns but not change them."""
    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_campaign"), Permission.objects.get(codename="view_ad"))
    client.force_login(user)
    return client


# --- local rows for the list (reading needs no TikTok) -----------------------------------


@pytest.fixture
def today():
    return clock.today()


@pytest.fixture
def shop():
    return AdvertiserAccount.objects.create(advertiser_id="7100000001", name="Shop One", timezone="UTC")


@pytest.fixture
def make_campaign(shop, today):
    def make(
        name,
        *,
        stage=Stage.LAUNCH,
        status=OperationStatus.ENABLE,
        advertiser=None,
        product=None,
        days_old=0,
        spend=None,
        value="0",
        budget="50",
    ):
        n = next(serial)
        product = product or Product.objects.create(name=f"{name} product")
        campaign = Campaign.objects.create(
            campaign_id=f"18{n:08d}",
            request_id=f"c{n}",
            advertiser=advertiser or shop,
            product=product,
            name=name,
            objective="VIDEO_VIEWS",
            stage=stage,
            status=status,
        )
        Campaign.objects.filter(pk=campaign.pk).update(created_at=campaign.created_at - dt.timedelta(days=days_old))
        adgroup = AdGroup.objects.create(
            adgroup_id=f"17{n:08d}",
            request_id=f"g{n}",
            campaign=campaign,
            name=f"{name} group",
            status=OperationStatus.ENABLE,
            billing_event="CPV",
            optimization_goal="ENGAGED_VIEW",
            bid_type="BID_TYPE_CUSTOM",
            budget=Decimal(budget),
        )
        job = VideoJob.objects.create(product=product, status=VideoJob.Status.DONE, progress=100)
        ad = Ad.objects.create(ad_id=f"16{n:08d}", adgroup=adgroup, job=job, name=f"{name} ad", status=status, ad_text="Hi")
        if spend is not None:
            PerformanceDaily.objects.create(
                ad=ad,
                date=today,
                spend=Decimal(spend),
                conversion_value=Decimal(value),
                impressions=1000,
                clicks=10,
            )
        campaign.ad = ad
        return campaign

    return make


def test_the_list_shows_todays_spend_and_roas_summed_over_the_campaigns_ads(boss, make_campaign, today):
    busy = make_campaign("Busy", spend="10.00", value="20.00")
    second = Ad.objects.create(adgroup=busy.ad.adgroup, job=busy.ad.job, name="second", ad_text="Hi", ad_id="1699")
    PerformanceDaily.objects.create(ad=second, date=today, spend=Decimal("30.00"), conversion_value=Decimal("100.00"))
    PerformanceDaily.objects.create(
        ad=second, date=today - dt.timedelta(days=1), spend=Decimal("999"), conversion_value=Decimal("1")
    )
    idle = make_campaign("Idle", status=OperationStatus.DISABLE)

    rows = {row["pk"]: row for row in campaign_rows(boss.get(LIST))}

    assert rows[busy.pk] | {"link": None} == {
        "pk": busy.pk,
        "status": "ENABLE",
        "stage": "launch",
        "spend": "40.00",
        "roas": "3.00",
        "link": None,
    }
    assert (rows[idle.pk]["status"], rows[idle.pk]["spend"], rows[idle.pk]["roas"]) == ("DISABLE", "0.00", "")
    assert rows[busy.pk]["link"] == reverse("campaigns:detail", args=[busy.pk])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "DISABLE"}, ["paused heat"]),
        ({"stage": "heat"}, ["paused heat", "other shop heat"]),
        ({"text": "blender"}, ["running launch"]),
        ({"text": "Other Shop"}, ["other shop heat"]),
        ({"stage": "heat", "status": "ENABLE"}, ["other shop heat"]),
        ({"status": "NOT-A-STATUS"}, ["running launch", "paused heat", "other shop heat"]),
    ],
)
def test_each_filter_narrows_the_list(boss, make_campaign, params, expected):
    other = AdvertiserAccount.objects.create(advertiser_id="7100000002", name="Other", timezone="UTC")
    names = {
        make_campaign("running launch", product=Product.objects.create(name="Portable Blender"), days_old=3).pk: "running launch",
        make_campaign("paused heat", stage=Stage.HEAT, status=OperationStatus.DISABLE, days_old=2).pk: "paused heat",
        make_campaign("other shop heat", stage=Stage.HEAT, advertiser=other, days_old=1).pk: "other shop heat",
    }

    shown = [names[pk] for pk in listed(boss, **params)]

    assert sorted(shown) == sorted(expected)


def test_the_advertiser_filter_shows_only_that_advertisers_campaigns(boss, make_campaign):
    other = AdvertiserAccount.objects.create(advertiser_id="7100000002", name="Other", timezone="UTC")
    make_campaign("mine")
    theirs = make_campaign("theirs", advertiser=other)

    assert listed(boss, advertiser=other.pk) == [theirs.pk]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["alpha", "bravo", "charlie"]),
        ("-name", ["charlie", "bravo", "alpha"]),
        ("-spend", ["bravo", "charlie", "alpha"]),
        ("spend", ["alpha", "charlie", "bravo"]),
        ("-roas", ["charlie", "bravo", "alpha"]),  # alpha has no spend: no ROAS, last either way
        ("roas", ["bravo", "charlie", "alpha"]),
        ("stage", ["alpha", "bravo", "charlie"]),  # stored values: heat < hit < launch
        ("-stage", ["charlie", "bravo", "alpha"]),
        ("status", ["bravo", "alpha", "charlie"]),  # DISABLE < ENABLE < PENDING
        ("created", ["alpha", "bravo", "charlie"]),
        ("-created", ["charlie", "bravo", "alpha"]),
        ("", ["charlie", "bravo", "alpha"]),  # the default: newest first
    ],
)
def test_each_sort_orders_the_list(boss, make_campaign, sort, expected):
    names = {
        make_campaign("alpha", stage=Stage.HEAT, days_old=3).pk: "alpha",
        make_campaign("bravo", stage=Stage.HIT, status=OperationStatus.DISABLE, spend="90", value="90", days_old=2).pk: "bravo",
        make_campaign("charlie", status=OperationStatus.PENDING, spend="10", value="50", days_old=1).pk: "charlie",
    }

    assert [names[pk] for pk in listed(boss, sort=sort)] == expected


def test_a_sorted_header_links_to_the_reverse_order_and_keeps_the_filters(boss, make_campaign):
    make_campaign("alpha")

    table = page(boss.get(LIST, {"sort": "name", "stage": "launch"})).find("table", id="campaign-list")

    header = table.find("th", aria_sort="ascending")
    assert header.find("a").attrs["href"] == "?sort=-name&stage=launch"


def test_the_list_pages_by_fifty(boss, make_campaign):
    first = make_campaign("first", days_old=1)
    for index in range(50):
        make_campaign(f"newer {index}")

    assert len(listed(boss)) == 50
    assert listed(boss, page=2) == [first.pk]


def test_the_list_costs_the_same_queries_for_3_and_30_campaigns(boss, make_campaign):
    def queries(campaigns: int) -> int:
        for index in range(campaigns - Campaign.objects.count()):
            make_campaign(f"n{index}", spend="10", value="25")
        boss.get(LIST)  # warm: the market clock's row and the session exist from here on
        with CaptureQueriesContext(connection) as captured:
            rows = campaign_rows(boss.get(LIST, {"sort": "-roas"}))
        assert len(rows) == campaigns
        return len(captured)

    assert queries(3) == queries(30)


# --- launched for real in the sandbox ----------------------------------------------------


@pytest.fixture
def launched(sandbox_http, advertiser, make_job):
    return [
        ad_launch(job=make_job(), advertiser=advertiser, stage=Stage.LAUNCH, budget=Decimal("50"), actor=Actor.auto())
        for _ in range(2)
    ]


def detail_url(obj) -> str:
    campaign = obj if isinstance(obj, Campaign) else obj.adgroup.campaign
    return reverse("campaigns:detail", args=[campaign.pk])


def trend_data(response) -> dict:
    script = page(response).find("script", id="campaign-trend")
    return json.loads(script.text())


@live
def test_the_detail_shows_each_ads_video_and_the_trend_data(boss, launched, today):
    first, second = launched
    PerformanceDaily.objects.create(
        ad=first,
        date=today,
        spend=Decimal("12.50"),
        conversion_value=Decimal("50"),
        impressions=2000,
        clicks=30,
    )
    PerformanceDaily.objects.create(ad=second, date=today - dt.timedelta(days=2), spend=Decimal("5"), impressions=500, clicks=5)

    response = boss.get(detail_url(first))

    dom = page(response)
    preview = dom.find("video", id="creative-preview")
    assert preview.attrs["src"] == first.job.video.url and preview.attrs["src"].endswith(".mp4")
    rows = {int(tr.attrs["data-ad-id"]): tr for tr in dom.find_all("tr", data_ad_id=True)}
    assert set(rows) == {first.pk, second.pk}
    assert rows[second.pk].find("video").attrs["src"] == second.job.video.url
    assert rows[first.pk].find("td", data_field="status").attrs["data-value"] == "ENABLE"
    data = trend_data(response)
    assert len(data["dates"]) == 7 and data["dates"][-1] == today.isoformat()
    assert data["spend"][-1] == 12.5 and data["roas"][-1] == 4.0 and data["impressions"][-1] == 2000
    assert data["ctr"][-1] == pytest.approx(1.5)  # percent
    assert data["spend"][-3] == 5.0 and data["roas"][-3] == 0.0 and data["roas"][0] is None
    for canvas in ("trend-spend", "trend-roas", "trend-impressions", "trend-ctr"):
        assert dom.find("canvas", id=canvas).attrs["data-label"]


@live
def test_the_detail_shows_thirty_days_when_asked(boss, launched):
    assert len(trend_data(boss.get(detail_url(launched[0]), {"days": 30}))["dates"]) == 30
    assert len(trend_data(boss.get(detail_url(launched[0]), {"days": 9}))["dates"]) == 7


@live
def test_pausing_an_ad_disables_it_on_tiktok_logs_it_and_resuming_enables_it(boss, launched):
    ad = launched[0]
    url = reverse("campaigns:ad_action", args=[ad.pk])

    response = boss.post(url, {"action": "pause"})

    assert response.status_code == HTTPStatus.FOUND and response["Location"] == detail_url(ad)
    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "DISABLE"
    assert SbAd.objects.get(ad_id=launched[1].ad_id).operation_status == "ENABLE"
    entry = ActionLog.objects.get(action="pause")
    assert (entry.object_type, entry.object_pk, entry.user.username, entry.outcome) == ("ad", ad.pk, "boss", "done")
    assert (entry.before, entry.after) == ({"status": "ENABLE"}, {"status": "DISABLE"})
    assert [level for level, _ in flashed(response)] == ["success"]

    shown = boss.get(detail_url(ad))
    row = page(shown).find("tr", data_ad_id=str(ad.pk))
    assert row.find("td", data_field="status").attrs["data-value"] == "DISABLE"

    boss.post(url, {"action": "resume", "next": detail_url(ad) + "?days=30"})

    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "ENABLE"
    assert ActionLog.objects.get(action="resume").user.username == "boss"


@live
def test_the_flash_message_is_shown_in_the_page_with_its_level(boss, launched):
    response = boss.post(reverse("campaigns:ad_action", args=[launched[0].pk]), {"action": "pause"}, follow=True)

    messages = page(response).find("ul", **{"class": "messages"})
    assert [li.attrs["class"] for li in messages.find_all("li")] == ["success"]
    assert launched[0].name in messages.text()


@live
def test_pausing_and_resuming_a_campaign_reaches_tiktok(boss, launched):
    campaign = launched[0].adgroup.campaign
    url = reverse("campaigns:campaign_action", args=[campaign.pk])

    boss.post(url, {"action": "pause"})
    assert SbCampaign.objects.get(campaign_id=campaign.campaign_id).operation_status == "DISABLE"
    boss.post(url, {"action": "resume"})

    assert SbCampaign.objects.get(campaign_id=campaign.campaign_id).operation_status == "ENABLE"
    log = list(
        ActionLog.objects.filter(object_type="campaign", action__in=["pause", "resume"])
        .order_by("pk")
        .values_list("action", "user__username")
    )
    assert log == [("pause", "boss"), ("resume", "boss")]


@live
def test_pausing_what_is_already_paused_changes_and_logs_nothing(boss, launched):
    url = reverse("campaigns:ad_action", args=[launched[0].pk])
    boss.post(url, {"action": "pause"}, follow=True)  # the page shows (and so uses up) its message

    response = boss.post(url, {"action": "pause"})

    assert [level for level, _ in flashed(response)] == ["info"]
    assert ActionLog.objects.filter(action="pause").count() == 1


@live
def test_moving_the_stage_by_hand_switches_the_product_as_stage_set_does(boss, launched):
    launch_campaign = launched[0].adgroup.campaign
    url = reverse("campaigns:campaign_action", args=[launch_campaign.pk])

    response = boss.post(url, {"action": "stage", "stage": "heat"})

    assert response["Location"] == detail_url(launch_campaign)
    assert [level for level, _ in flashed(response)] == ["success"]
    heat = Campaign.objects.get(stage=Stage.HEAT)
    assert Ad.objects.filter(adgroup__campaign=heat, status=OperationStatus.ENABLE).count() == 2
    assert SbCampaign.objects.get(campaign_id=heat.campaign_id).objective_type == "WEB_CONVERSIONS"
    assert SbCampaign.objects.get(campaign_id=launch_campaign.campaign_id).operation_status == "DISABLE"
    entry = ActionLog.objects.get(action="stage_change")
    assert (entry.user.username, entry.before["stage"], entry.after["stage"], entry.trigger["manual"]) == (
        "boss",
        "launch",
        "heat",
        True,
    )

    # And back: the launch campaign runs again, the heat one is paused; nothing is duplicated.
    boss.post(reverse("campaigns:campaign_action", args=[heat.pk]), {"action": "stage", "stage": "launch"})

    assert SbCampaign.objects.get(campaign_id=launch_campaign.campaign_id).operation_status == "ENABLE"
    assert SbCampaign.objects.get(campaign_id=heat.campaign_id).operation_status == "DISABLE"
    assert SbCampaign.objects.count() == 2 and ActionLog.objects.filter(action="stage_change").count() == 2


@live
def test_moving_to_the_current_stage_is_reported_as_nothing_to_do(boss, launched):
    campaign = launched[0].adgroup.campaign

    response = boss.post(reverse("campaigns:campaign_action", args=[campaign.pk]), {"action": "stage", "stage": "launch"})

    assert [level for level, _ in flashed(response)] == ["info"]
    assert not ActionLog.objects.filter(action="stage_change").exists()


@pytest.mark.parametrize("data", [{"action": "stage", "stage": "viral"}, {"action": "delete"}, {}])
def test_an_unknown_action_or_stage_is_an_error_message(boss, make_campaign, data):
    campaign = make_campaign("x")

    response = boss.post(reverse("campaigns:campaign_action", args=[campaign.pk]), data)

    assert response.status_code == HTTPStatus.FOUND
    assert [level for level, _ in flashed(response)] == ["error"]
    assert not ActionLog.objects.exists()


@live
def test_a_tiktok_refusal_is_an_error_message_not_a_500(boss, launched):
    ad = launched[0]
    # Deleted on TikTok behind our back: its status cannot change any more (40002).
    SbAd.objects.filter(ad_id=ad.ad_id).update(operation_status="DELETE")

    response = boss.post(reverse("campaigns:ad_action", args=[ad.pk]), {"action": "pause"})

    assert response.status_code == HTTPStatus.FOUND
    [(level, text)] = flashed(response)
    assert level == "error" and "40002" in text
    ad.refresh_from_db()
    assert ad.status == OperationStatus.ENABLE
    assert ActionLog.objects.get(action="pause").outcome == "failed"


def test_an_object_never_created_on_tiktok_cannot_be_paused_and_says_why(boss, make_campaign):
    campaign = make_campaign("pending", status=OperationStatus.ENABLE)
    Campaign.objects.filter(pk=campaign.pk).update(campaign_id="")

    response = boss.post(reverse("campaigns:campaign_action", args=[campaign.pk]), {"action": "pause"})

    assert [level for level, _ in flashed(response)] == ["error"]
    assert not ActionLog.objects.exists()


@live
def test_a_user_without_the_change_permission_gets_403_and_changes_nothing(viewer, launched):
    ad = launched[0]
    campaign = ad.adgroup.campaign

    assert viewer.post(reverse("campaigns:ad_action", args=[ad.pk]), {"action": "pause"}).status_code == HTTPStatus.FORBIDDEN
    campaign_url = reverse("campaigns:campaign_action", args=[campaign.pk])
    assert viewer.post(campaign_url, {"action": "pause"}).status_code == HTTPStatus.FORBIDDEN
    assert viewer.post(campaign_url, {"action": "stage", "stage": "heat"}).status_code == HTTPStatus.FORBIDDEN
    assert viewer.get(NEW).status_code == HTTPStatus.FORBIDDEN

    assert SbAd.objects.get(ad_id=ad.ad_id).operation_status == "ENABLE"
    assert SbCampaign.objects.count() == 1
    assert not ActionLog.objects.filter(actor="user").exists()
    # They still see the page, without the buttons they could not use.
    dom = page(viewer.get(detail_url(ad)))
    assert dom.find("tr", data_ad_id=str(ad.pk)) is not None and dom.find("button", value="pause") is None


def test_the_actions_answer_post_only(boss, make_campaign):
    campaign = make_campaign("x")

    assert boss.get(reverse("campaigns:campaign_action", args=[campaign.pk])).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert boss.get(reverse("campaigns:ad_action", args=[campaign.ad.pk])).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert boss.get(reverse("campaigns:detail", args=[campaign.pk + 1000])).status_code == HTTPStatus.NOT_FOUND


# --- new ads from finished videos --------------------------------------------------------


def new_ad(advertiser, jobs, **values) -> dict:
    return {"advertiser": advertiser.pk, "jobs": [job.pk for job in jobs], "stage": "launch", "budget": "40", **values}


@live
def test_the_form_offers_only_finished_videos_of_connected_advertisers(boss, sandbox_http, advertiser, make_job, product):
    done = make_job()
    VideoJob.objects.create(product=product, status=VideoJob.Status.RUNNING)
    AdvertiserAccount.objects.create(
        advertiser_id="7199", name="Revoked", status=AdvertiserAccount.Status.REVOKED, access_token="t"
    )

    dom = page(boss.get(NEW))

    assert [int(label.attrs["data-job-id"]) for label in dom.find_all("label", data_job_id=True)] == [done.pk]
    options = dom.find("select", name="advertiser").find_all("option")
    assert [option.attrs["value"] for option in options] == [str(advertiser.pk)]
    assert product.name in dom.find("fieldset", id="job-choices").text()


@live
def test_the_form_launches_each_video_in_the_sandbox_once(boss, sandbox_http, advertiser, make_job):
    jobs = [make_job(), make_job()]

    response = boss.post(NEW, new_ad(advertiser, jobs, ad_text="Juice anywhere", call_to_action="ORDER_NOW"))

    campaign = Campaign.objects.get()
    assert response.status_code == HTTPStatus.FOUND and response["Location"] == detail_url(campaign)
    assert [level for level, _ in flashed(response)] == ["success", "success"]
    assert (SbCampaign.objects.count(), SbAdGroup.objects.count(), SbAd.objects.count()) == (1, 2, 2)
    assert set(SbAdGroup.objects.values_list("budget", flat=True)) == {Decimal("40")}
    assert set(SbAd.objects.values_list("ad_text", "call_to_action")) == {("Juice anywhere", "ORDER_NOW")}
    assert ActionLog.objects.filter(action="ad_create", user__username="boss").count() == 2

    again = boss.post(NEW, new_ad(advertiser, jobs, ad_text="Juice anywhere", call_to_action="ORDER_NOW"))

    assert again["Location"] == detail_url(campaign)
    assert (SbCampaign.objects.count(), SbAdGroup.objects.count(), SbAd.objects.count()) == (1, 2, 2)
    assert ActionLog.objects.filter(action="ad_create").count() == 2


def budget_errors(response) -> list[str]:
    assert response.status_code == HTTPStatus.OK
    return [error.code for error in response.context["form"].errors.as_data().get("budget", [])]


@pytest.mark.parametrize(
    ("budget", "code"), [("0", "not_positive"), ("-5", "not_positive"), ("5", "below_minimum"), ("501", "above_cap")]
)
@live
def test_a_bad_budget_re_renders_the_form_with_the_reason_and_keeps_the_input(
    boss, sandbox_http, advertiser, make_job, budget, code
):
    job = make_job()

    response = boss.post(NEW, new_ad(advertiser, [job], budget=budget, ad_text="Keep me"))

    assert budget_errors(response) == [code]
    dom = page(response)
    assert dom.find("input", name="ad_text").attrs["value"] == "Keep me"
    assert "checked" in dom.find("input", name="jobs", value=str(job.pk)).attrs
    assert dom.find("input", name="budget").attrs["value"] == budget
    assert not SbCampaign.objects.exists() and not Campaign.objects.exists()


@live
def test_the_budgets_together_must_fit_the_accounts_daily_cap(boss, sandbox_http, advertiser, make_job):
    advertiser.daily_spend_cap = Decimal("100")
    advertiser.save()

    response = boss.post(NEW, new_ad(advertiser, [make_job(), make_job()], budget="60"))

    assert budget_errors(response) == ["above_account_cap"]
    assert not SbCampaign.objects.exists()


@live
def test_a_launch_tiktok_refuses_is_shown_on_the_form_not_a_500(boss, sandbox_http, advertiser, make_job):
    # Without a pixel the heat stage's ad group is invalid: TikTok answers 40002.
    advertiser.pixel_id = ""
    advertiser.save()

    response = boss.post(NEW, new_ad(advertiser, [make_job()], stage="heat"))

    assert response.status_code == HTTPStatus.OK
    errors = response.context["form"].non_field_errors()
    assert len(errors) == 1 and "40002" in errors[0]
    assert page(response).find("ul", id="form-errors") is not None
    assert ActionLog.objects.get(action="adgroup_create").outcome == "failed"
    assert not SbAdGroup.objects.exists()


# --- navigation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("campaigns:list", "campaigns:list"),
        ("campaigns:ad_new", "campaigns:list"),
        ("analytics:dashboard", "analytics:dashboard"),
        ("optimization:queue", "optimization:queue"),
        ("admin:scheduler_actionlog_changelist", "admin:scheduler_actionlog_changelist"),
        ("admin:campaigns_campaign_changelist", "admin:index"),
        ("admin:index", "admin:index"),
    ],
)
def test_the_nav_marks_the_current_section_by_path_prefix(boss, path, current):
    dom = page(boss.get(reverse(path)))

    marked = [a.attrs["href"] for a in dom.find("nav", **{"class": "mainnav"}).find_all("a", aria_current="page")]
    assert marked == [reverse(current)]
    assert dom.find("form", action=reverse("set_language")) is not None


def test_a_campaign_page_marks_the_campaigns_section(boss, make_campaign):
    dom = page(boss.get(reverse("campaigns:detail", args=[make_campaign("x").pk])))

    assert [a.attrs["href"] for a in dom.find_all("a", aria_current="page")] == [LIST]
