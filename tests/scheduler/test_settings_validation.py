"""Nonsense in StrategySettings is refused with a message next to the field: each rule, on the
global row and on a campaign override judged with the values it inherits, and in admin."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.stages import MIN_ADGROUP_DAILY_BUDGET
from scheduler.models import StrategySettings
from scheduler.services_settings import SETTING_FIELDS, strategy_global_ensure, strategy_validate

pytestmark = pytest.mark.django_db

D = Decimal

# (values set on the global row, the field the message must be next to, a part of the message)
REFUSED = [
    ({"scale_up_at": D("1.00")}, "scale_up_at", "must be below"),  # = keep at: thresholds strictly descending
    ({"scale_up_at": D("0.90")}, "scale_up_at", "1.00"),
    ({"keep_at": D("1.50")}, "keep_at", "must be below"),
    ({"keep_at": D("0.70")}, "keep_at", "must be below"),  # = scale down at
    ({"scale_down_at": D("1.20")}, "scale_down_at", "must be below"),
    ({"scale_down_at": D("0.00")}, "scale_down_at", "greater than 0"),
    ({"scale_down_at": D("-0.10")}, "scale_down_at", "greater than 0"),
    ({"scale_up_factor": D("1.00")}, "scale_up_factor", "greater than 1"),
    ({"scale_up_factor": D("0.80")}, "scale_up_factor", "greater than 1"),
    ({"scale_down_factor": D("1.00")}, "scale_down_factor", "between 0 and 1"),
    ({"scale_down_factor": D("0.00")}, "scale_down_factor", "between 0 and 1"),
    ({"scale_down_factor": D("1.20")}, "scale_down_factor", "between 0 and 1"),
    ({"target_roas": D("0.00")}, "target_roas", "greater than 0"),
    ({"target_roas": D("-1.00")}, "target_roas", "greater than 0"),
    ({"min_spend": D("-0.01")}, "min_spend", "cannot be negative"),
    ({"hit_cap_raise_step": D("-5.00")}, "hit_cap_raise_step", "cannot be negative"),
    ({"adgroup_budget_cap": D("-1.00")}, "adgroup_budget_cap", "cannot be negative"),
    ({"adgroup_budget_cap": MIN_ADGROUP_DAILY_BUDGET - D("0.01")}, "adgroup_budget_cap", str(MIN_ADGROUP_DAILY_BUDGET)),
    ({"account_daily_cap": D("-100.00")}, "account_daily_cap", "cannot be negative"),
    ({"max_raise_per_day": D("-1.00")}, "max_raise_per_day", "cannot be negative"),
    ({"alert_roas_floor": D("-0.50")}, "alert_roas_floor", "cannot be negative"),
    ({"roas_window_days": 0}, "roas_window_days", "at least 1 day"),
    ({"hit_roas_days": 0}, "hit_roas_days", "at least 1 day"),
    ({"heat_ctr_days": 1}, "heat_ctr_days", "at least 2 days"),
    ({"heat_ctr_max_cv": D("0.000")}, "heat_ctr_max_cv", "greater than 0"),
    ({"heat_ctr_max_cv": D("-0.100")}, "heat_ctr_max_cv", "greater than 0"),
    ({"hit_bid_raise_pct": D("0.00")}, "hit_bid_raise_pct", "at most 100"),
    ({"hit_bid_raise_pct": D("100.01")}, "hit_bid_raise_pct", "at most 100"),
    ({"heat_min_impressions": 0}, "heat_min_impressions", "at least 1"),
]

# The edges that are still sense.
ACCEPTED = [
    {"scale_up_at": D("1.01"), "keep_at": D("1.00"), "scale_down_at": D("0.01")},
    {"scale_up_factor": D("1.01"), "scale_down_factor": D("0.01")},
    {"scale_down_factor": D("0.99")},
    {"min_spend": D("0"), "hit_cap_raise_step": D("0"), "max_raise_per_day": D("0"), "alert_roas_floor": D("0")},
    {"adgroup_budget_cap": MIN_ADGROUP_DAILY_BUDGET, "account_daily_cap": D("0")},
    {"roas_window_days": 1, "hit_roas_days": 1, "heat_ctr_days": 2, "heat_min_impressions": 1},
    {"hit_bid_raise_pct": D("100.00"), "heat_ctr_max_cv": D("0.001")},
    {"min_conversions": 0, "target_roas": D("0.01")},
]


@pytest.fixture
def campaign(advertiser):
    return Campaign.objects.create(request_id="c1", advertiser=advertiser, name="Blender launch", objective="VIDEO_VIEWS")


def override(campaign, **values) -> StrategySettings:
    """An unsaved campaign row setting only `values`; every other field NULL (= inherit)."""
    return StrategySettings(campaign=campaign, **{name: None for name in SETTING_FIELDS} | values)


def errors_of(row) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        row.full_clean()
    return raised.value.message_dict


@pytest.mark.parametrize(("values", "field", "fragment"), REFUSED)
def test_nonsense_on_the_global_row_is_refused_next_to_its_field(values, field, fragment):
    row = strategy_global_ensure()
    for name, value in values.items():
        setattr(row, name, value)

    errors = errors_of(row)

    assert field in errors, errors
    assert any(fragment in message for message in errors[field]), errors[field]


@pytest.mark.parametrize(("values", "field", "fragment"), REFUSED)
def test_the_same_nonsense_on_a_campaign_override_is_refused(campaign, values, field, fragment):
    strategy_global_ensure()

    errors = errors_of(override(campaign, **values))

    assert field in errors and any(fragment in message for message in errors[field]), errors


@pytest.mark.parametrize("values", ACCEPTED)
def test_values_at_the_edges_are_accepted(values):
    row = strategy_global_ensure()
    for name, value in values.items():
        setattr(row, name, value)

    row.full_clean()


def test_the_model_defaults_are_sense():
    strategy_validate(StrategySettings())


def test_an_override_that_breaks_the_order_against_inherited_values_is_refused(campaign):
    strategy_global_ensure()  # scale up at 1.50, keep at 1.00

    errors = errors_of(override(campaign, keep_at=D("1.60")))

    assert list(errors) == ["keep_at"]
    (message,) = errors["keep_at"]
    assert "1.60" in message and "1.50" in message and "Inherited from the global defaults: scale up at" in message


def test_an_override_inside_the_inherited_order_is_accepted(campaign):
    strategy_global_ensure()

    override(campaign, keep_at=D("1.20"), scale_down_factor=D("0.50")).full_clean()


def test_an_override_is_judged_against_the_global_row_as_saved(campaign):
    row = strategy_global_ensure()
    row.scale_up_at = D("3.00")
    row.save()

    override(campaign, keep_at=D("2.50")).full_clean()  # fine under 3.00, refused under the default 1.50
    row.scale_up_at = D("1.50")
    row.save()
    assert "keep_at" in errors_of(override(campaign, keep_at=D("2.50")))


def test_the_global_row_is_refused_when_it_would_break_an_override_and_names_the_campaign(campaign):
    row = strategy_global_ensure()
    override(campaign, keep_at=D("1.40")).save()

    row.scale_up_at = D("1.30")
    errors = errors_of(row)

    assert list(errors) == ["scale_up_at"]
    assert "Blender launch" in errors["scale_up_at"][0] and "1.40" in errors["scale_up_at"][0]


def test_the_global_row_may_change_what_no_override_inherits(campaign):
    row = strategy_global_ensure()
    override(campaign, keep_at=D("1.40"), scale_up_at=D("2.00")).save()

    row.scale_up_at = D("1.30")
    row.keep_at = D("1.10")

    row.full_clean()


# --- admin ------------------------------------------------------------------------------------

@pytest.fixture
def admin_user_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("manager", password="pw"))
    return client


def form_data(client, url) -> dict:
    """What the admin change form would post back unchanged."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else ("true" if value is True else "false" if value is False else str(value))
    return data


def test_admin_refuses_a_nonsense_value_with_the_message_next_to_the_field_and_saves_nothing(admin_user_client):
    row = strategy_global_ensure()
    url = reverse("admin:scheduler_strategysettings_change", args=[row.pk])

    response = admin_user_client.post(url, form_data(admin_user_client, url) | {"scale_down_factor": "1.50"})

    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["scale_down_factor"] and "between 0 and 1" in errors["scale_down_factor"][0]
    assert "between 0 and 1" in response.content.decode()
    row.refresh_from_db()
    assert row.scale_down_factor == D("0.80")


def test_admin_refuses_a_new_override_that_breaks_the_inherited_order(admin_user_client, campaign):
    strategy_global_ensure()
    url = reverse("admin:scheduler_strategysettings_add")

    response = admin_user_client.post(url, form_data(admin_user_client, url) | {"campaign": str(campaign.pk), "scale_down_at": "1.10"})

    assert response.status_code == 200
    assert "scale_down_at" in response.context["adminform"].form.errors
    assert not StrategySettings.objects.filter(campaign=campaign).exists()


def test_admin_saves_a_sensible_value(admin_user_client):
    row = strategy_global_ensure()
    url = reverse("admin:scheduler_strategysettings_change", args=[row.pk])

    response = admin_user_client.post(url, form_data(admin_user_client, url) | {"scale_down_factor": "0.60"})

    assert response.status_code == 302
    row.refresh_from_db()
    assert row.scale_down_factor == D("0.60")
