"""The campaigns page (PRD 12.3: list, detail, pause / resume / stage, new ads from finished
videos) and the OAuth redirects for connecting TikTok advertisers (Marketing API) and TikTok
publishing accounts (Login Kit v2, track A; staff only).

The page's actions go through the campaigns and scheduler services, which call TikTok and write
ActionLog; a refusal (theirs or TikTok's) becomes an error message, never a 500."""

import secrets

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from adloop import clock
from analytics.selectors import PERIODS, period_days, period_ending
from integrations.publishing import PublishingError
from integrations.tiktok_ads.errors import ApiError
from scheduler.services import Actor
from scheduler.services_stages import stage_set

from . import selectors
from .errors import CampaignError
from .forms import AdNewForm, CampaignFilterForm
from .models import Ad, Campaign, OperationStatus, Stage
from .services import ad_launch, object_status_set
from .services.accounts import tiktok_account_connect, tiktok_authorization_url
from .services.connect import advertiser_connect, oauth_authorization_url

CHANGE_CAMPAIGN = "campaigns.change_campaign"
CHANGE_AD = "campaigns.change_ad"
ADD_AD = "campaigns.add_ad"
PAGE_SIZE = 50
STATUS_OF = {"pause": OperationStatus.DISABLE, "resume": OperationStatus.ENABLE}
# Failures the services report for a person to read: their own refusals and TikTok's.
REFUSALS = (CampaignError, ApiError)


# --- list and detail ---------------------------------------------------------------------


@require_GET
def campaign_list(request):
    form = CampaignFilterForm(request.GET)
    filters = form.filters()
    today = clock.today()
    campaigns = selectors.campaign_table(today=today, **filters)
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "sorts": _sort_links(filters["sort"]),
        "today": today,
        "can_add": request.user.has_perm(ADD_AD),
    }
    return render(request, "campaigns/campaigns.html", context)


def _sort_links(current: str) -> dict[str, dict]:
    """Per column: the `sort` value its header links to (reversed when it is the current one)
    and the aria-sort value it carries now."""
    links = {}
    for key in selectors.CAMPAIGN_SORTS:
        active = current.lstrip("-") == key
        descending = current.startswith("-")
        links[key] = {
            "next": (key if descending else f"-{key}") if active else key,
            "aria": ("descending" if descending else "ascending") if active else "",
        }
    return links



def _num(value):
    # json_script writes Decimals as strings; the charts want numbers.
    return None if value is None else float(value)


def _pct(ratio: float | None) -> float | None:
    return None if ratio is None else ratio * 100


@require_GET
def campaign_detail(request, pk: int):
    campaign = _campaign_or_404(pk)
    days = period_days(request.GET.get("days"))
    period = period_ending(today=clock.today(), days=days)
    trend = selectors.campaign_trend(campaign=campaign, start=period.start, end=period.end)
    adgroups = selectors.campaign_adgroups(campaign=campaign, start=period.start, end=period.end)
    ads = [ad for adgroup in adgroups for ad in adgroup.ads.all()]
    for row in trend:
        row["ctr_pct"] = _pct(row["ctr"])
    for ad in ads:
        ad.ctr_pct = _pct(ad.period_ctr)
    preview = next((ad for ad in ads if ad.job.video), None)
    chart = {
        "dates": [row["date"].isoformat() for row in trend],
        "spend": [_num(row["spend"]) for row in trend],
        "roas": [row["roas"] for row in trend],
        "impressions": [row["impressions"] for row in trend],
        "ctr": [row["ctr_pct"] for row in trend],
        "target_roas": _num(campaign.target_roas),
    }
    context = {
        "campaign": campaign,
        "days": days,
        "periods": PERIODS,
        "period": period,
        "today": trend[-1],
        "trend": trend,
        "chart": chart,
        "adgroups": adgroups,
        "ads": ads,
        "preview_pk": preview.pk if preview else None,
        "siblings": selectors.campaign_siblings(campaign=campaign),
        "actions": selectors.campaign_actions_recent(campaign=campaign),
        "stages": Stage.choices,
        "can_change_campaign": request.user.has_perm(CHANGE_CAMPAIGN),
        "can_change_ad": request.user.has_perm(CHANGE_AD),
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _campaign_or_404(pk: int) -> Campaign:
    try:
        return selectors.campaign_get(pk=pk)
    except Campaign.DoesNotExist:
        raise Http404(_("No such campaign.")) from None


def _back(request, default: str):
    """Back to the page the form was on (`next`, if it is one of ours), else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


# --- actions -----------------------------------------------------------------------------

CAMPAIGN_TEXT = {
    OperationStatus.DISABLE: {
        "done": gettext_lazy("Campaign “%(name)s” paused on TikTok."),
        "already": gettext_lazy("Campaign “%(name)s” is already paused."),
        "failed": gettext_lazy("Campaign “%(name)s” was not paused: %(error)s"),
        "reason": gettext_lazy("paused on the campaigns page by %(user)s"),
    },
    OperationStatus.ENABLE: {
        "done": gettext_lazy("Campaign “%(name)s” resumed on TikTok."),
        "already": gettext_lazy("Campaign “%(name)s” is already running."),
        "failed": gettext_lazy("Campaign “%(name)s” was not resumed: %(error)s"),
        "reason": gettext_lazy("resumed on the campaigns page by %(user)s"),
    },
}
AD_TEXT = {
    OperationStatus.DISABLE: {
        "done": gettext_lazy("Ad “%(name)s” paused on TikTok."),
        "already": gettext_lazy("Ad “%(name)s” is already paused."),
        "failed": gettext_lazy("Ad “%(name)s” was not paused: %(error)s"),
        "reason": gettext_lazy("paused on the campaigns page by %(user)s"),
    },
    OperationStatus.ENABLE: {
        "done": gettext_lazy("Ad “%(name)s” resumed on TikTok."),
        "already": gettext_lazy("Ad “%(name)s” is already running."),
        "failed": gettext_lazy("Ad “%(name)s” was not resumed: %(error)s"),
        "reason": gettext_lazy("resumed on the campaigns page by %(user)s"),
    },
}


@require_POST
def campaign_action(request, pk: int):
    if not request.user.has_perm(CHANGE_CAMPAIGN):
        raise PermissionDenied
    campaign = _campaign_or_404(pk)
    action = request.POST.get("action", "")
    if action in STATUS_OF:
        _status_set(request, campaign, STATUS_OF[action], CAMPAIGN_TEXT)
    elif action == "stage":
        _stage_set(request, campaign, request.POST.get("stage", ""))
    else:
        messages.error(request, _("Unknown action."))
    return _back(request, reverse("campaigns:detail", args=[campaign.pk]))


@require_POST
def ad_action(request, pk: int):
    if not request.user.has_perm(CHANGE_AD):
        raise PermissionDenied
    ad = Ad.objects.select_related("adgroup__campaign__advertiser").filter(pk=pk).first()
    if ad is None:
        raise Http404(_("No such ad."))
    action = request.POST.get("action", "")
    if action in STATUS_OF:
        _status_set(request, ad, STATUS_OF[action], AD_TEXT)
    else:
        messages.error(request, _("Unknown action."))
    return _back(request, reverse("campaigns:detail", args=[ad.adgroup.campaign_id]))


def _status_set(request, obj: Campaign | Ad, status: str, text: dict) -> None:
    text = text[status]
    if obj.status == status:
        messages.info(request, text["already"] % {"name": obj.name})
        return
    reason = text["reason"] % {"user": request.user.get_username()}
    try:
        object_status_set(obj=obj, status=status, actor=Actor.of(request.user), reason=reason)
    except REFUSALS as exc:
        messages.error(request, text["failed"] % {"name": obj.name, "error": exc})
        return
    messages.success(request, text["done"] % {"name": obj.name})


def _stage_set(request, campaign: Campaign, stage: str) -> None:
    """The hand override, as the admin's "Move to … stage" does it for one campaign's product."""
    if stage not in Stage.values:
        messages.error(request, _("Choose a stage: launch, heat or hit."))
        return
    if campaign.product is None:
        messages.error(request, _("This campaign has no product, so it has no stage to move."))
        return
    names = {"product": campaign.product, "stage": Stage(stage).label}
    try:
        change = stage_set(product=campaign.product, advertiser=campaign.advertiser, stage=stage, actor=Actor.of(request.user))
    except REFUSALS as exc:
        messages.error(request, _("%(product)s: not moved to the %(stage)s stage: %(error)s") % {**names, "error": exc})
        return
    if change.applied:
        text = _("%(product)s: moved to the %(stage)s stage with %(count)d ad(s).")
        messages.success(request, text % {**names, "count": len(change.ads)})
    elif change.from_stage == change.to_stage:
        messages.info(request, _("%(product)s: %(note)s") % {**names, "note": change.note})
    else:
        messages.error(request, _("%(product)s: not moved to the %(stage)s stage: %(error)s") % {**names, "error": change.note})


# --- new ads from finished videos --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def ad_new(request):
    if not request.user.has_perm(ADD_AD):
        raise PermissionDenied
    if request.method == "POST":
        form = AdNewForm(request.POST)
    else:
        form = AdNewForm(initial={"jobs": request.GET.getlist("job"), "stage": Stage.LAUNCH})
    if request.method == "POST" and form.is_valid():
        ads, failures = _launch(form.cleaned_data, actor=Actor.of(request.user))
        if ads:
            for ad in ads:
                names = {"ad": ad.name, "campaign": ad.adgroup.campaign.name}
                messages.success(request, _("Ad “%(ad)s” is running in campaign “%(campaign)s”.") % names)
            for job, error in failures:
                messages.error(request, _("%(job)s was not launched: %(error)s") % {"job": job, "error": error})
            return redirect("campaigns:detail", pk=ads[0].adgroup.campaign_id)
        for job, error in failures:
            form.add_error(None, _("%(job)s was not launched: %(error)s") % {"job": job, "error": error})
    return render(request, "campaigns/ad_new.html", {"form": form})


def _launch(data: dict, *, actor: Actor) -> tuple[list[Ad], list[tuple]]:
    """`ad_launch` for each chosen video (idempotent: a video already running in that stage
    answers with its ad); the ads launched, and (job, error) for those refused."""
    ads, failures = [], []
    optional = {"call_to_action": data["call_to_action"]} if data["call_to_action"] else {}  # else the launcher's default
    for job in data["jobs"]:
        try:
            ads.append(
                ad_launch(
                    job=job,
                    advertiser=data["advertiser"],
                    stage=data["stage"],
                    budget=data["budget"],
                    actor=actor,
                    ad_text=data["ad_text"],
                    **optional,
                )
            )
        except REFUSALS as exc:
            failures.append((job, exc))
    return ads, failures


# --- OAuth -------------------------------------------------------------------------------

SESSION_STATE = "tiktok_oauth_state"


@staff_member_required
def oauth_start(request):
    state = secrets.token_urlsafe(32)
    request.session[SESSION_STATE] = state
    redirect_uri = request.build_absolute_uri(reverse("campaigns:oauth_callback"))
    return redirect(oauth_authorization_url(redirect_uri=redirect_uri, state=state))


@staff_member_required
def oauth_callback(request):
    changelist = reverse("admin:campaigns_advertiseraccount_changelist")
    expected = request.session.pop(SESSION_STATE, None)
    state = request.GET.get("state", "")
    # The state ties this callback to the redirect we started: without it, anyone could
    # make a logged-in admin connect an advertiser of the attacker's choosing.
    if not expected or not secrets.compare_digest(expected, state):
        messages.error(request, _("The authorization answer did not match a request from this session; please connect again."))
        return redirect(changelist)
    auth_code = request.GET.get("auth_code", "")
    if not auth_code:
        messages.error(request, _("TikTok did not grant access (no auth_code in the answer)."))
        return redirect(changelist)
    try:
        accounts = advertiser_connect(auth_code=auth_code, actor=Actor.of(request.user))
    except ApiError as exc:
        messages.error(request, _("Connecting failed: %(error)s") % {"error": exc})
        return redirect(changelist)
    names = ", ".join(str(account) for account in accounts) or _("none")
    messages.success(request, _("Connected advertisers: %(names)s") % {"names": names})
    return redirect(changelist)


# --- TikTok v2 (Login Kit): connecting an organic publishing account (track A) ----------

SESSION_STATE_V2 = "tiktok_v2_oauth_state"


@staff_member_required
def tiktok_connect_start(request):
    state = secrets.token_urlsafe(32)
    request.session[SESSION_STATE_V2] = state
    redirect_uri = request.build_absolute_uri(reverse("campaigns:tiktok_connect_callback"))
    return redirect(tiktok_authorization_url(redirect_uri=redirect_uri, state=state))


@staff_member_required
def tiktok_connect_callback(request):
    changelist = reverse("admin:campaigns_publishingaccount_changelist")
    expected = request.session.pop(SESSION_STATE_V2, None)
    state = request.GET.get("state", "")
    # As for advertisers: the state ties the answer to a redirect this session started.
    if not expected or not secrets.compare_digest(expected, state):
        messages.error(request, _("The authorization answer did not match a request from this session; please connect again."))
        return redirect(changelist)
    code = request.GET.get("code", "")
    if not code:
        reason = request.GET.get("error_description") or request.GET.get("error") or _("no code in the answer")
        messages.error(request, _("TikTok did not grant access: %(reason)s") % {"reason": reason})
        return redirect(changelist)
    redirect_uri = request.build_absolute_uri(reverse("campaigns:tiktok_connect_callback"))
    try:
        account = tiktok_account_connect(code=code, redirect_uri=redirect_uri, actor=Actor.of(request.user))
    except PublishingError as exc:
        messages.error(request, _("Connecting the TikTok account failed: %(error)s") % {"error": exc})
        return redirect(changelist)
    messages.success(request, _("Connected TikTok account %(account)s.") % {"account": account})
    return redirect(changelist)
