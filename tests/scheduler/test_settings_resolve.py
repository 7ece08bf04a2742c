"""The effective strategy: global defaults, overlaid by a campaign's own non-empty values."""

from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest

from campaigns.models import Campaign
from scheduler.models import StrategySettings
from scheduler.services_settings import SETTING_FIELDS, Strategy, strategies_for, strategy_for, strategy_global_ensure

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(advertiser):
    return Campaign.objects.create(request_id="c1", advertiser=advertiser, name="Blender launch", objective="VIDEO_VIEWS")


def override(campaign, **values) -> StrategySettings:
    """A campaign row that sets only `values`; every other field NULL (= inherit)."""
    return StrategySettings.objects.create(campaign=campaign, **{name: None for name in SETTING_FIELDS} | values)


def test_the_global_row_is_created_with_the_model_defaults():
    strategy = strategy_for()

    assert StrategySettings.objects.filter(campaign=None).count() == 1
    assert (strategy.target_roas, strategy.roas_window_days, strategy.min_spend) == (Decimal("2.00"), 3, Decimal("20.00"))
    assert (strategy.alert_roas_floor, strategy.alert_enabled, strategy.kill_switch, strategy.dry_run) == (
        Decimal("1.00"),
        True,
        False,
        False,
    )
    assert strategy_global_ensure().pk == strategy_global_ensure().pk


def test_every_settings_field_is_in_the_strategy():
    model_fields = {f.name for f in StrategySettings._meta.concrete_fields} - {"id", "campaign", "updated_at"}

    assert set(SETTING_FIELDS) == model_fields


def test_a_campaign_without_a_row_gets_the_global_values(campaign):
    row = strategy_global_ensure()
    row.min_spend = Decimal("35.00")
    row.save()

    assert strategy_for(campaign) == strategy_for() and strategy_for(campaign).min_spend == Decimal("35.00")


def test_a_campaign_overrides_one_field_and_inherits_the_rest(campaign):
    row = strategy_global_ensure()
    row.roas_window_days = 5
    row.save()
    override(campaign, alert_roas_floor=Decimal("1.40"))

    strategy = strategy_for(campaign)

    assert strategy.alert_roas_floor == Decimal("1.40")
    assert strategy.roas_window_days == 5  # NULL on the campaign row: the global value
    assert strategy_for().alert_roas_floor == Decimal("1.00")


def test_an_explicit_false_on_a_campaign_overrides_a_global_true(campaign):
    row = strategy_global_ensure()
    row.alert_enabled = True
    row.save()
    override(campaign, alert_enabled=False)

    assert strategy_for(campaign).alert_enabled is False
    assert strategy_for(campaign.pk).alert_enabled is False


def test_a_null_on_the_global_row_falls_back_to_the_model_default():
    StrategySettings.objects.create(campaign=None, **{name: None for name in SETTING_FIELDS})

    assert strategy_for() == Strategy(**{name: StrategySettings._meta.get_field(name).get_default() for name in SETTING_FIELDS})


def test_many_campaigns_resolve_in_constant_queries(advertiser, django_assert_max_num_queries):
    campaigns = [
        Campaign.objects.create(request_id=f"c{i}", advertiser=advertiser, name=f"c{i}", objective="VIDEO_VIEWS")
        for i in range(6)
    ]
    override(campaigns[0], kill_switch=True)
    strategy_global_ensure()

    with django_assert_max_num_queries(2):
        strategies = strategies_for(campaigns=campaigns)

    assert [strategies[c.pk].kill_switch for c in campaigns] == [True, False, False, False, False, False]


def test_a_strategy_is_frozen():
    with pytest.raises(FrozenInstanceError):
        strategy_for().kill_switch = True


def test_a_new_override_row_in_admin_starts_empty_so_it_inherits(admin_client):
    from django.urls import reverse

    page = admin_client.get(reverse("admin:scheduler_strategysettings_add"))

    assert page.status_code == 200
    form = page.context["adminform"].form
    assert form.initial["target_roas"] is None and form.initial["scale_up_factor"] is None
