from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.models import AdvertiserAccount, Stage
from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET

CALLS_TO_ACTION = ["SHOP_NOW", "LEARN_MORE", "ORDER_NOW", "VIEW_NOW", "WATCH_NOW", "SIGN_UP", "CONTACT_US"]


class LaunchForm(forms.Form):
    advertiser = forms.ModelChoiceField(
        label=_("Advertiser"), queryset=AdvertiserAccount.objects.filter(status=AdvertiserAccount.Status.CONNECTED)
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.LAUNCH)
    budget = forms.DecimalField(
        label=_("Daily budget per ad group"), min_value=MIN_ADGROUP_DAILY_BUDGET, decimal_places=2, initial=Decimal("50.00")
    )
    ad_text = forms.CharField(label=_("Ad text"), max_length=100, required=False, help_text=_("Empty: the product title"))
    call_to_action = forms.ChoiceField(label=_("Call to action"), choices=[(c, c) for c in CALLS_TO_ACTION])
