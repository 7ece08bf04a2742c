"""Forms of the campaigns page: the list's filters and launching finished videos as ads."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from scheduler.services_budget import account_cap
from scheduler.services_settings import strategy_for

from . import selectors
from .models import AdvertiserAccount, OperationStatus, Stage
from .stages import MIN_ADGROUP_DAILY_BUDGET

SORT_CHOICES = [
    ("-created", _("Newest first")),
    ("created", _("Oldest first")),
    ("name", _("Name A–Z")),
    ("-name", _("Name Z–A")),
    ("stage", _("Stage")),
    ("status", _("Status")),
    ("-spend", _("Spend today, highest first")),
    ("spend", _("Spend today, lowest first")),
    ("-roas", _("ROAS today, highest first")),
    ("roas", _("ROAS today, lowest first")),
]


class CampaignFilterForm(forms.Form):
    """The list's GET parameters; a value that does not validate is simply not applied."""

    text = forms.CharField(label=_("Name or product"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status")), *OperationStatus.choices])
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[("", _("Any stage")), *Stage.choices])
    advertiser = forms.ModelChoiceField(
        label=_("Advertiser"),
        required=False,
        empty_label=_("Any advertiser"),
        queryset=AdvertiserAccount.objects.order_by("name", "pk"),
    )
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def filters(self) -> dict:
        """The valid parameters, as keyword arguments of `selectors.campaign_table`."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "text": (data.get("text") or "").strip(),
            "status": data.get("status") or "",
            "stage": data.get("stage") or "",
            "advertiser": data.get("advertiser"),
            "sort": data.get("sort") or selectors.DEFAULT_CAMPAIGN_SORT,
        }


# A few of TikTok's call_to_action values that suit a shop; empty keeps the launcher's default.
CALLS_TO_ACTION = [
    ("", _("Default (Shop now)")),
    ("SHOP_NOW", _("Shop now")),
    ("ORDER_NOW", _("Order now")),
    ("LEARN_MORE", _("Learn more")),
    ("VIEW_NOW", _("View now")),
    ("WATCH_NOW", _("Watch now")),
]


class AdNewForm(forms.Form):
    """Launch finished videos as ads. The budget is checked here against the same minimum the
    launcher enforces (campaigns.stages) and against the strategy's caps; whatever else the
    launcher or TikTok refuses is added to the form by the view."""

    advertiser = forms.ModelChoiceField(label=_("Advertiser"), queryset=selectors.advertisers_connected(), empty_label=None)
    jobs = forms.ModelMultipleChoiceField(
        label=_("Videos"),
        queryset=selectors.jobs_launchable(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Finished videos; each becomes one ad in its own ad group."),
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.LAUNCH)
    budget = forms.DecimalField(label=_("Daily budget per ad group"), max_digits=12, decimal_places=2)
    ad_text = forms.CharField(label=_("Ad text"), required=False, max_length=100, help_text=_("Empty: the script's ad text"))
    call_to_action = forms.ChoiceField(label=_("Call to action"), required=False, choices=CALLS_TO_ACTION)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Interpolated per request: a lazy string formatted at import would keep one language.
        self.fields["budget"].help_text = gettext("At least %(minimum)s (TikTok's minimum for an ad group).") % {
            "minimum": MIN_ADGROUP_DAILY_BUDGET
        }

    def clean_budget(self) -> Decimal:
        budget = self.cleaned_data["budget"]
        if budget <= 0:
            raise forms.ValidationError(_("The daily budget must be more than 0."), code="not_positive")
        if budget < MIN_ADGROUP_DAILY_BUDGET:
            raise forms.ValidationError(
                _("The daily budget must be at least %(minimum)s, TikTok's minimum for an ad group."),
                code="below_minimum",
                params={"minimum": MIN_ADGROUP_DAILY_BUDGET},
            )
        cap = strategy_for().adgroup_budget_cap
        if cap is not None and budget > cap:
            raise forms.ValidationError(
                _("The daily budget may be at most %(cap)s, the ad group budget cap in the strategy settings."),
                code="above_cap",
                params={"cap": cap},
            )
        return budget

    def clean(self):
        data = super().clean()
        advertiser, budget, jobs = data.get("advertiser"), data.get("budget"), data.get("jobs")
        if advertiser is not None and budget is not None and jobs:
            cap = account_cap(advertiser)
            # Each video gets its own ad group with this budget: together they must fit the account.
            if budget * len(jobs) > cap:
                self.add_error(
                    "budget",
                    forms.ValidationError(
                        _("%(count)d ad group(s) × %(budget)s is above the account's daily cap of %(cap)s."),
                        code="above_account_cap",
                        params={"count": len(jobs), "budget": budget, "cap": cap},
                    ),
                )
        return data
