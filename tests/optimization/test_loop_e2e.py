"""The optimization loop end to end on the sandbox over HTTP: a winner from its daily
performance → breakdown → variants rendered (real files) → queued → approved in admin or on
the page (or launched at once in auto mode) → ads in the sandbox, each with its lineage."""

import hashlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from campaigns.models import Ad, Stage, UploadedVideo
from creatives import media
from creatives.models import VideoJob
from creatives.script import script_parse
from optimization.models import OptimizationQueue, ScriptBreakdown
from optimization.selectors import lineage
from optimization.services import queue_item_approve, queue_item_launch
from optimization.tasks import run_loop, run_loop_for_advertiser
from sandbox.models import SbAd
from scheduler.models import ActionLog
from scheduler.services import Actor

pytestmark = pytest.mark.django_db(transaction=True)
Status = OptimizationQueue.Status


def run(advertiser):
    return run_loop_for_advertiser.apply(args=(advertiser.pk,), throw=True).get()


def items():
    return list(OptimizationQueue.objects.select_related("job", "launched_ad__adgroup__campaign").order_by("pk"))


def md5(path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def assert_real_mp4(job: VideoJob):
    path = Path(job.video.path)
    data = path.read_bytes()
    assert len(data) > 1000 and data[4:8] == b"ftyp", path
    info = media.probe(str(path))
    assert info["video_codec"] == "h264" and abs(info["duration_s"] - script_parse(job.script).duration_s) <= 0.3


def test_manual_mode_from_winner_to_ads_approved_in_admin(launched_winner, advertiser, admin_client, admin_user):
    source = launched_winner(roas=3.0)

    assert run_loop.apply(throw=True).get() == 1  # the beat task: one run per connected advertiser

    queue = items()
    assert [item.status for item in queue] == [Status.PENDING] * 3
    breakdown = ScriptBreakdown.objects.get()
    winner_script = script_parse(source.job.script)
    assert breakdown.source_job == source.job and breakdown.source_ad == source and breakdown.hook_type == "number"
    assert breakdown.pacing == [scene.duration_s for scene in winner_script.scenes]
    assert len(breakdown.template["slots"]) == len(winner_script.scenes) and breakdown.selling_point_logic
    hooks = set()
    for item in queue:
        job = item.job
        assert item.mode == "manual" and item.estimated_cost == Decimal("150.00") and item.breakdown == breakdown
        assert job.parent == source.job and job.batch_id == item.new_batch_id and job.status == VideoJob.Status.DONE
        assert_real_mp4(job)
        script = script_parse(job.script)
        assert script.hook.type == "number" and [s.duration_s for s in script.scenes] == breakdown.pacing
        hooks.add(script.hook.text)
    assert len(hooks) == 3 and winner_script.hook.text not in hooks
    trigger = ActionLog.objects.get(action="optimization_trigger")
    assert trigger.object_pk == source.pk and trigger.trigger["roas"] == 3.0 and trigger.actor == "auto"
    assert SbAd.objects.count() == 1  # nothing launched before a person approves

    assert run(advertiser)["winners"] == 0  # not cloned again while its variants wait

    response = admin_client.post(
        reverse("admin:optimization_optimizationqueue_changelist"),
        {"action": "approve", "_selected_action": [item.pk for item in queue]},
    )

    assert response.status_code == 302
    for item in items():
        assert item.status == Status.LAUNCHED and item.decided_by == admin_user
        ad = item.launched_ad
        assert ad.job == item.job and ad.job.parent == source.job and ad.adgroup.campaign.stage == Stage.HEAT
        remote = SbAd.objects.select_related("video").get(ad_id=ad.ad_id)
        assert remote.operation_status == "ENABLE"
        assert remote.video.video_id == UploadedVideo.objects.get(job=item.job).video_id
        assert remote.video.signature == md5(item.job.video.path)
    assert SbAd.objects.count() == 4
    created = ActionLog.objects.filter(action="ad_create", user=admin_user, outcome="done")
    assert created.count() == 3 and set(created.values_list("actor", flat=True)) == {"user"}
    family = lineage(source.job)
    assert {node.job for node in family.descendants} == {item.job for item in queue}


def test_the_page_shows_pending_variants_and_approves_or_rejects_by_post(launched_winner, advertiser, admin_client):
    launched_winner(roas=3.0)
    run(advertiser)
    first, second, third = items()

    page = admin_client.get(reverse("optimization:queue"))

    html = page.content.decode()
    assert page.status_code == 200
    for item in (first, second, third):
        assert f'src="{item.job.video.url}"' in html and f'data-item="{item.pk}"' in html
    assert html.count("<video") == 3 and "150.00 USD" in html and "3.00" in html  # cost, the parent's ROAS
    assert first.breakdown.get_hook_type_display() in html and "Approve and launch" in html

    decide = reverse("optimization:decide")
    admin_client.post(decide, {"item_action": f"approve:{first.pk}"})
    again = admin_client.post(decide, {"item_action": f"approve:{first.pk}"}, follow=True)
    admin_client.post(decide, {"action": "reject", "items": [second.pk, third.pk]})

    assert [item.status for item in items()] == [Status.LAUNCHED, Status.REJECTED, Status.REJECTED]
    assert "already decided" in again.content.decode()
    assert Ad.objects.filter(job=first.job).count() == 1 and SbAd.objects.count() == 2
    recent = admin_client.get(reverse("optimization:queue")).content.decode()
    assert f'data-item="{first.pk}" data-status="launched"' in recent and "No variant is waiting" in recent


def test_deciding_needs_the_permission(queued_variants, client, django_user_model):
    _source, [item, *_] = queued_variants()
    decide = reverse("optimization:decide")

    assert client.post(decide, {"item_action": f"approve:{item.pk}"}).status_code == 302  # to the login page
    client.force_login(django_user_model.objects.create_user("viewer", password="x"))
    assert client.get(reverse("optimization:queue")).status_code == 200
    assert client.post(decide, {"item_action": f"approve:{item.pk}"}).status_code == 403
    assert OptimizationQueue.objects.get(pk=item.pk).status == Status.PENDING


def test_auto_mode_launches_the_variants_at_once_and_once(launched_winner, advertiser, strategy):
    strategy(optimization_mode="auto")
    source = launched_winner(roas=3.0)

    report = run(advertiser)

    assert report["launched"] == 3
    for item in items():
        assert item.mode == "auto" and item.status == Status.LAUNCHED and item.decided_by is None
        assert item.launched_ad.job.parent == source.job
    launches = ActionLog.objects.filter(action="variant_launch", outcome="done")
    assert launches.count() == 3 and set(launches.values_list("actor", flat=True)) == {"auto"}
    assert SbAd.objects.count() == 4

    for item in items():  # a task delivered again changes nothing
        queue_item_launch(item=item, actor=Actor.auto(), source=Status.PENDING)
    assert SbAd.objects.count() == 4 and Ad.objects.count() == 4


def test_approving_twice_launches_once(queued_variants, admin_user):
    _source, [item, *_] = queued_variants()
    stale_copy = OptimizationQueue.objects.get(pk=item.pk)

    queue_item_approve(item=item, actor=Actor.of(admin_user))
    queue_item_approve(item=stale_copy, actor=Actor.of(admin_user))
    queue_item_launch(item=item, actor=Actor.of(admin_user), source=Status.APPROVED)

    assert OptimizationQueue.objects.get(pk=item.pk).status == Status.LAUNCHED
    assert Ad.objects.filter(job=item.job).count() == 1 and SbAd.objects.count() == 2
    assert ActionLog.objects.filter(action="variant_approve").count() == 1
    launched = OptimizationQueue.objects.get(pk=item.pk).launched_ad_id
    assert ActionLog.objects.filter(action="ad_create", object_type="ad", object_pk=launched).count() == 1


def test_the_kill_switch_holds_every_launch_until_it_is_off(launched_winner, advertiser, strategy, admin_user):
    from optimization.services import queue_items_advance

    strategy(optimization_mode="auto", kill_switch=True)
    launched_winner()

    run(advertiser)

    queue = items()
    assert [item.status for item in queue] == [Status.PENDING] * 3 and all("kill switch" in item.note for item in queue)
    assert queue_item_approve(item=queue[0], actor=Actor.of(admin_user)).status == Status.PENDING
    assert SbAd.objects.count() == 1 and not ActionLog.objects.filter(action="variant_launch").exists()

    strategy(kill_switch=False)
    assert queue_items_advance(advertiser=advertiser) == 3

    assert [item.status for item in items()] == [Status.LAUNCHED] * 3 and SbAd.objects.count() == 4


def test_dry_run_only_logs_what_it_would_launch(queued_variants, advertiser, strategy):
    from optimization.services import queue_items_advance

    strategy(optimization_mode="auto", dry_run=True)
    queued_variants(mode="auto")

    assert queue_items_advance(advertiser=advertiser) == 0

    queue = items()
    assert [item.status for item in queue] == [Status.PENDING] * 3
    assert queue[0].note.startswith("dry run: would launch into heat at 50.00/day")
    would = ActionLog.objects.filter(action="variant_launch")
    assert would.count() == 3 and set(would.values_list("outcome", flat=True)) == {"would_do"} and all(e.dry_run for e in would)
    assert SbAd.objects.count() == 1


def test_a_failed_launch_keeps_the_reason_and_is_retried(queued_variants, advertiser, admin_client):
    _source, [item, *_] = queued_variants()
    advertiser.daily_spend_cap = Decimal("60.00")  # the winner's 50 a day leaves 10: too little for a variant
    advertiser.save()

    admin_client.post(reverse("optimization:decide"), {"item_action": f"approve:{item.pk}"})

    item.refresh_from_db()
    assert item.status == Status.FAILED and "daily cap" in item.error
    assert ActionLog.objects.get(action="variant_launch").outcome == "failed" and SbAd.objects.count() == 1
    assert "Retry" in admin_client.get(reverse("optimization:queue")).content.decode()

    advertiser.daily_spend_cap = None
    advertiser.save()
    admin_client.post(reverse("admin:optimization_optimizationqueue_changelist"), {"action": "retry", "_selected_action": [item.pk]})

    item.refresh_from_db()
    assert item.status == Status.LAUNCHED and item.error == "" and SbAd.objects.count() == 2


def test_renders_finishing_later_move_their_items_on(launched_winner, advertiser, monkeypatch, admin_client):
    from creatives.services import video_job_run
    from optimization.tasks import variant_render

    # No worker picks the renders up yet: the items wait in GENERATING.
    monkeypatch.setattr("optimization.services.variants._enqueue_renders", lambda pks: None)
    launched_winner()
    run(advertiser)
    first, second, third = items()
    assert {item.status for item in (first, second, third)} == {Status.GENERATING}
    assert 'id="generating"' in admin_client.get(reverse("optimization:queue")).content.decode()
    assert run(advertiser)["winners"] == 0  # rendering variants block a second clone too

    # The render task moves its item on as soon as the video is done.
    assert variant_render.apply(args=(first.pk,), throw=True).get() == Status.PENDING
    # A render finished elsewhere (creatives' own task, a retry in admin): the next run's sweep moves it.
    for item in (second, third):
        video_job_run(job=item.job)
    assert [item.status for item in items()] == [Status.PENDING, Status.GENERATING, Status.GENERATING]

    assert run(advertiser)["advanced"] == 2
    assert [item.status for item in items()] == [Status.PENDING] * 3


def test_a_render_failure_fails_the_items_launches_nothing_and_is_retried(launched_winner, advertiser, strategy, product_png, admin_user):
    from optimization.services import queue_item_retry

    strategy(optimization_mode="auto")
    source = launched_winner()
    image = source.job.product.images.get()
    Path(image.image.path).write_bytes(b"not an image")

    run(advertiser)

    queue = items()
    assert [item.status for item in queue] == [Status.FAILED] * 3
    assert all(item.error.startswith("render failed:") and item.job.status == VideoJob.Status.FAILED for item in queue)
    assert SbAd.objects.count() == 1 and not ActionLog.objects.filter(action="variant_launch").exists()

    Path(image.image.path).write_bytes(product_png.read_bytes())
    retried = queue_item_retry(item=queue[0], actor=Actor.of(admin_user))

    assert retried.status == Status.LAUNCHED and SbAd.objects.count() == 2


def _openai(fake):
    from integrations.llm.openai_provider import OpenAIProvider

    return OpenAIProvider(api_key="sk-test", model="gpt-4o", max_retries=0, http_client=fake.client())


BREAKDOWN = {
    "hook_type": "number", "hook_reason": "opens with “3 reasons”", "selling_point_order": ["6 blades", "380 ml", "USB-C charging"],
    "selling_point_logic": "hard numbers first", "cta_type": "social_proof", "cta_style": "social proof", "pacing_style": "fast",
    "template": [{"role": "hook", "purpose": "promise"}, {"role": "selling_point", "purpose": "show"},
                 {"role": "selling_point", "purpose": "show"}, {"role": "cta", "purpose": "ask"}],
}


def test_an_llm_failure_fails_the_items_and_nothing_is_made_or_launched(launched_winner, advertiser, monkeypatch, strategy):
    from tests.integrations.llm.conftest import FakeLLM

    strategy(optimization_mode="auto")
    fake = FakeLLM().fail(500, "The server is overloaded")
    monkeypatch.setattr("optimization.services.variants.llm_provider", lambda: _openai(fake))
    source = launched_winner()

    run(advertiser)

    queue = items()
    assert [item.status for item in queue] == [Status.FAILED] * 3 and all(item.job is None for item in queue)
    assert queue[0].error.startswith("could not break the winner down:") and "HTTP 500" in queue[0].error
    assert not VideoJob.objects.filter(parent=source.job).exists() and not ScriptBreakdown.objects.exists()
    assert SbAd.objects.count() == 1 and len(fake.requests) == 1


def test_invalid_variants_fail_the_items_and_a_retry_writes_them_again(launched_winner, advertiser, monkeypatch, admin_client):
    from integrations.llm.offline import OfflineProvider
    from tests.integrations.llm.conftest import FakeLLM

    fake = FakeLLM().answer(BREAKDOWN).answer("not json").answer('{"variants": [')
    monkeypatch.setattr("optimization.services.variants.llm_provider", lambda: _openai(fake))
    source = launched_winner()

    run(advertiser)

    queue = items()
    assert [item.status for item in queue] == [Status.FAILED] * 3
    assert queue[0].error.startswith("could not write the variants:") and "invalid twice" in queue[0].error
    stored = ScriptBreakdown.objects.get()  # the breakdown worked and is kept
    assert queue[0].breakdown == stored and stored.provider == "OpenAIProvider" and stored.selling_point_logic == "hard numbers first"
    assert stored.pacing == [scene["duration_s"] for scene in source.job.script["scenes"]]  # measured, not asked for
    assert not VideoJob.objects.filter(parent=source.job).exists() and SbAd.objects.count() == 1

    monkeypatch.setattr("optimization.services.variants.llm_provider", lambda: OfflineProvider())
    admin_client.post(reverse("admin:optimization_optimizationqueue_changelist"), {"action": "retry", "_selected_action": [queue[0].pk]})

    # One retry re-writes the whole batch (the LLM writes its variants together).
    assert [item.status for item in items()] == [Status.PENDING] * 3
    assert {item.job.parent_id for item in items()} == {source.job_id}
