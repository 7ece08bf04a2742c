"""The ActionLog in admin: filtered by campaign, action and date; read-only; and the "Revert the
selected changes" action, which goes to the sandbox over HTTP and reports each entry."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.services import ad_launch, adgroup_budget_set
from sandbox.models import SbAdGroup
from scheduler.models import ActionLog
from scheduler.services import Actor, action_log_record

pytestmark = pytest.mark.django_db(transaction=True)

CHANGELIST = "admin:scheduler_actionlog_changelist"


@pytest.fixture
def boss(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw"))
    return client


def listed(client, **params) -> set[int]:
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {entry.pk for entry in response.context["cl"].result_list}


def actions_offered(client) -> list[str]:
    form = client.get(reverse(CHANGELIST)).context["action_form"]
    return [] if form is None else [name for name, _ in form.fields["action"].choices]


def notes(response) -> list[tuple[str, str]]:
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


# --- filters ----------------------------------------------------------------------------------

@pytest.fixture
def history(advertiser):
    """Entries on two campaigns, of two actions, on two days."""
    blender = Campaign.objects.create(request_id="c1", advertiser=advertiser, name="Blender", objective="VIDEO_VIEWS")
    kettle = Campaign.objects.create(request_id="c2", advertiser=advertiser, name="Kettle", objective="VIDEO_VIEWS")

    def record(campaign, action):
        return action_log_record(actor=Actor.auto(), action=action, obj=campaign, before={"status": "ENABLE"}, after={"status": "DISABLE"})

    entries = {
        "blender_pause": record(blender, "pause"),
        "blender_budget": record(blender, "budget_change"),
        "kettle_pause": record(kettle, "pause"),
        "kettle_budget_old": record(kettle, "budget_change"),
    }
    old = timezone.now() - dt.timedelta(days=10)
    ActionLog.objects.filter(pk=entries["kettle_budget_old"].pk).update(at=old)
    return {"blender": blender, "kettle": kettle, "old": old, **{k: v.pk for k, v in entries.items()}}


def test_the_log_filters_by_campaign(boss, history):
    assert listed(boss, campaign__id__exact=history["blender"].pk) == {history["blender_pause"], history["blender_budget"]}


def test_the_log_filters_by_action(boss, history):
    assert listed(boss, action="pause") == {history["blender_pause"], history["kettle_pause"]}


def test_the_log_filters_by_date(boss, history):
    old = timezone.localtime(history["old"]).date()

    def midnight(day):  # as the date filter's own links give it: an aware local midnight
        return str(timezone.make_aware(dt.datetime.combine(day, dt.time())))

    assert listed(boss, at__gte=midnight(old), at__lt=midnight(old + dt.timedelta(days=1))) == {history["kettle_budget_old"]}
    assert listed(boss, at__year=old.year, at__month=old.month, at__day=old.day) == {history["kettle_budget_old"]}
    recent = listed(boss, at__gte=midnight(old + dt.timedelta(days=1)))
    assert recent == {history["blender_pause"], history["blender_budget"], history["kettle_pause"]}


def test_the_filters_combine(boss, history):
    assert listed(boss, campaign__id__exact=history["kettle"].pk, action="budget_change") == {history["kettle_budget_old"]}


def test_the_log_is_read_only(boss, history):
    pk = history["blender_pause"]

    assert boss.post(reverse("admin:scheduler_actionlog_change", args=[pk]), {"action": "resume"}).status_code == 403
    assert boss.post(reverse("admin:scheduler_actionlog_delete", args=[pk]), {"post": "yes"}).status_code == 403
    assert ActionLog.objects.get(pk=pk).action == "pause"


# --- revert -----------------------------------------------------------------------------------

@pytest.fixture
def adgroup(sandbox_http, advertiser, video_job):
    return ad_launch(job=video_job, advertiser=advertiser, stage="launch", budget=Decimal("100"), actor=Actor.auto()).adgroup


def revert(client, *entries):
    return client.post(reverse(CHANGELIST), {"action": "revert_selected", ACTION_CHECKBOX_NAME: [e.pk for e in entries]}, follow=True)


def test_the_revert_action_puts_the_budget_back_and_reports_it(boss, adgroup):
    adgroup_budget_set(adgroup=adgroup, budget=Decimal("130"), actor=Actor.auto())
    original = ActionLog.objects.get(action="budget_change")

    response = revert(boss, original)

    assert SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id).budget == Decimal("100")
    undo = ActionLog.objects.get(reverts=original)
    assert (undo.user.username, undo.after) == ("boss", {"budget": "100.00"})
    assert notes(response) == [("success", f"#{original.pk} reverted ({original.after} → {undo.after}), logged as #{undo.pk}.")]


def test_the_revert_action_reports_each_refusal_and_still_reverts_the_rest(boss, adgroup):
    adgroup_budget_set(adgroup=adgroup, budget=Decimal("130"), actor=Actor.auto())
    older = ActionLog.objects.get(action="budget_change")
    adgroup_budget_set(adgroup=adgroup, budget=Decimal("150"), actor=Actor.auto())
    newer = ActionLog.objects.filter(action="budget_change").latest("pk")
    would_do = action_log_record(
        actor=Actor.auto(), action="pause", obj=adgroup, before={"status": "ENABLE"}, after={"status": "DISABLE"}, dry_run=True,
    )

    response = revert(boss, older, would_do, newer)

    # Newest first: the later change is undone before the earlier one, so both go back.
    assert SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id).budget == Decimal("100")
    levels = [level for level, _ in notes(response)]
    assert sorted(levels) == ["error", "success", "success"]
    assert any(level == "error" and f"#{would_do.pk} not reverted" in text and "dry run" in text for level, text in notes(response))


def test_reverting_twice_from_admin_is_refused_the_second_time(boss, adgroup):
    adgroup_budget_set(adgroup=adgroup, budget=Decimal("130"), actor=Actor.auto())
    original = ActionLog.objects.get(action="budget_change")
    revert(boss, original)

    response = revert(boss, original)

    assert notes(response)[0][0] == "error" and "Already reverted" in notes(response)[0][1]
    assert ActionLog.objects.filter(reverts=original).count() == 1


def test_only_managers_with_the_revert_permission_get_the_action(client, django_user_model, adgroup):
    adgroup_budget_set(adgroup=adgroup, budget=Decimal("130"), actor=Actor.auto())
    original = ActionLog.objects.get(action="budget_change")
    clerk = django_user_model.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_actionlog"))
    client.force_login(clerk)

    assert "revert_selected" not in actions_offered(client)
    revert(client, original)
    assert SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id).budget == Decimal("130")

    clerk.user_permissions.add(Permission.objects.get(codename="revert_actionlog"))
    client.force_login(django_user_model.objects.get(pk=clerk.pk))
    assert "revert_selected" in actions_offered(client)
    revert(client, original)
    assert SbAdGroup.objects.get(adgroup_id=adgroup.adgroup_id).budget == Decimal("100")
