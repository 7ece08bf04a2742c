from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from campaigns.models import AdvertiserAccount, Stage
from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET

from .models import VideoJob
from .services.jobs import MAX_BATCH

# TikTok's call_to_action values, with the button text a viewer sees.
CALLS_TO_ACTION = {
    "SHOP_NOW": _("Shop now"), "LEARN_MORE": _("Learn more"), "ORDER_NOW": _("Order now"), "VIEW_NOW": _("View now"),
    "WATCH_NOW": _("Watch now"), "SIGN_UP": _("Sign up"), "CONTACT_US": _("Contact us"),
}


class LaunchForm(forms.Form):
    advertiser = forms.ModelChoiceField(
        label=_("Advertiser"), queryset=AdvertiserAccount.objects.filter(status=AdvertiserAccount.Status.CONNECTED)
    )
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.LAUNCH)
    budget = forms.DecimalField(
        label=_("Daily budget per ad group"), min_value=MIN_ADGROUP_DAILY_BUDGET, decimal_places=2, initial=Decimal("50.00")
    )
    ad_text = forms.CharField(label=_("Ad text"), max_length=100, required=False, help_text=_("Empty: the product title"))
    call_to_action = forms.ChoiceField(label=_("Call to action"), choices=list(CALLS_TO_ACTION.items()))


class GenerateForm(forms.Form):
    count = forms.IntegerField(label=_("Number of videos"), min_value=1, max_value=MAX_BATCH, initial=3)
    backend = forms.ChoiceField(
        label=_("Video backend"),
        choices=[(VideoJob.Backend.FFMPEG, _("ffmpeg (local)")), (VideoJob.Backend.SEEDANCE, _("Seedance (AI video)"))],
        initial=lambda: settings.VIDEO_BACKEND,
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("the product's")), ("zh", "中文"), ("en", "English")], required=False
    )
    size = forms.ChoiceField(label=_("Size"), choices=[("720x1280", "720×1280"), ("1080x1920", "1080×1920")], initial="720x1280")
