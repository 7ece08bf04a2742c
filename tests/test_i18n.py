"""The UI in Simplified Chinese (the default) and English: the catalog is complete and compiled,
each page and admin changelist speaks the chosen language, and the language switch works.

The rest of the suite runs in English (tests/conftest.py); here the language comes from the
request (cookie, Accept-Language or the default), as in production. That every string in the
code is in the catalog is checked by `make messages-check` (it needs GNU gettext's xgettext).
"""

import ast
import gettext
import re
import threading
from collections import Counter
from decimal import Decimal
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from campaigns.models import Ad, AdGroup, Campaign, OperationStatus
from creatives.models import VideoJob
from optimization.models import OptimizationQueue
from scheduler.models import ActionLog
from scheduler.rules import budget_decide
from scheduler.services_settings import strategy_for, strategy_global_ensure

pytestmark = pytest.mark.django_db

MESSAGES = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
PO, MO = MESSAGES / "django.po", MESSAGES / "django.mo"
COOKIE = settings.LANGUAGE_COOKIE_NAME
# %(name)s, %s, %.2f, %% (Python's % formatting) and {name} (str.format).
PLACEHOLDER = re.compile(r"%(?:\(\w+\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]|\{\w*\}")


def po_entries(path=PO) -> list[dict]:
    """The .po file's entries (the header first): msgctxt, msgid, msgid_plural, msgstr
    (index → text) and flags."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "obsolete": False}
        if line.startswith("#~"):
            entry["obsolete"] = True
        elif line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] += text
            else:
                entry[key[0]] += text
        else:
            name, value = line.split(" ", 1)
            index = re.fullmatch(r"msgstr\[(\d+)\]", name)
            key = ("msgstr", int(index.group(1))) if index else ("msgstr", 0) if name == "msgstr" else (name, None)
            if key[0] == "msgstr":
                entry["msgstr"][key[1]] = ast.literal_eval(value)
            else:
                entry[key[0]] = ast.literal_eval(value)
    return entries


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


def label(entry: dict) -> str:
    return repr(entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']} | {entry['msgid']}")


# --- the catalog ----------------------------------------------------------------------------


def test_every_string_has_a_chinese_translation_and_none_is_fuzzy():
    header, *entries = po_entries()

    assert len(entries) > 500
    assert "fuzzy" not in header["flags"]
    assert "Plural-Forms: nplurals=1; plural=0;" in header["msgstr"][0]
    assert not [label(e) for e in entries if e["obsolete"]]
    assert not [label(e) for e in entries if "fuzzy" in e["flags"]]
    untranslated = [label(e) for e in entries if not e["msgstr"] or not all(text.strip() for text in e["msgstr"].values())]
    assert not untranslated
    # Chinese has one plural form: a plural entry has exactly msgstr[0].
    assert not [label(e) for e in entries if e["msgid_plural"] is not None and set(e["msgstr"]) != {0}]


def test_each_translation_keeps_the_placeholders_of_its_source():
    broken = []
    for entry in po_entries()[1:]:
        source = entry["msgid_plural"] if entry["msgid_plural"] is not None else entry["msgid"]
        for text in entry["msgstr"].values():
            if placeholders(text) != placeholders(source):
                broken.append(f"{label(entry)}: {sorted(placeholders(source))} ≠ {sorted(placeholders(text))}")
    assert not broken, "\n".join(broken)


def test_the_committed_mo_is_the_compiled_po():
    """The .mo is what the app reads (a machine without gettext cannot compile it): it must hold
    exactly the .po's translations. After editing the .po, run `make messages`."""
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    expected = {}
    for entry in po_entries()[1:]:
        msgid = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if entry["msgid_plural"] is None:
            expected[msgid] = entry["msgstr"][0]
        else:
            expected.update({(msgid, index): text for index, text in entry["msgstr"].items()})
    catalog = {key: value for key, value in compiled._catalog.items() if key != ""}  # "" is the header

    assert catalog == expected, "locale/…/django.mo is stale: run `make messages` (or manage.py compilemessages)"
    assert compiled.plural(1) == compiled.plural(5) == 0


# --- the pages ------------------------------------------------------------------------------


@pytest.fixture
def boss(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("boss", password="pw"))
    return client


@pytest.fixture
def shop(advertiser, product):
    """One of each object the changelists below list, so their tables, columns and actions show."""
    campaign = Campaign.objects.create(
        advertiser=advertiser, product=product, name="Blender launch", campaign_id="1800000000000000001", request_id="i18n-c",
        objective="VIDEO_VIEWS", status=OperationStatus.ENABLE,
    )
    adgroup = AdGroup.objects.create(
        campaign=campaign, name="Blender launch 1", adgroup_id="1800000000000000002", request_id="i18n-g", billing_event="CPV",
        optimization_goal="ENGAGED_VIEW", bid_type="BID_TYPE_CUSTOM", budget=Decimal("50.00"), status=OperationStatus.ENABLE,
    )
    job = VideoJob.objects.create(product=product, hook_type=VideoJob.HookType.NUMBER)
    ad = Ad.objects.create(adgroup=adgroup, job=job, name="Blender ad", ad_id="1800000000000000003", ad_text="Fresh juice")
    OptimizationQueue.objects.create(source_ad=ad, new_batch_id="opt-i18n", status=OptimizationQueue.Status.PENDING)
    ActionLog.objects.create(actor=ActionLog.Actor.AUTO, action="pause", object_type="ad", object_pk=ad.pk, remote_id=ad.ad_id)
    strategy_global_ensure()
    return campaign


# path, texts it shows in Chinese, the same texts in English
PAGES = [
    ("/analytics/", ["数据看板", "总览", "每日趋势", "阶段分布", "按 ROAS 排序的广告"],
     ["Analytics", "Overview", "Daily trend", "Stage distribution", "Ads by ROAS"]),
    ("/optimization/", ["优化队列", "1 个变体待确认", "确认投放", "最近的决定"],
     ["Optimization queue", "1 variant waiting for approval", "Approve and launch", "Recent decisions"]),
    ("/admin/", ["站点管理", "数据看板", "全自动调度器", "操作日志", "广告系列"],
     ["Site administration", "Analytics", "Scheduler", "Action log", "Campaigns"]),
    ("/admin/campaigns/campaign/", ["在 TikTok 上暂停", "切换到热度提升期", "广告主", "推广目标"],
     ["Pause on TikTok", "Move to heat stage", "Advertiser", "Objective", "launch (打品初期)"]),
    ("/admin/scheduler/actionlog/", ["撤销所选更改", "执行者", "自动化", '<td class="field-action_shown">暂停</td>', "对象类型"],
     ["Revert the selected changes", "Actor", "automation", '<td class="field-action_shown">pause</td>', "Object type"]),
    ("/admin/scheduler/strategysettings/", ["策略设置", "全局默认设置", "紧急停止开关", "试运行"],
     ["Strategy settings", "global defaults", "Kill switch", "Dry run"]),
    ("/admin/creatives/videojob/", ["视频任务", "重试失败的任务", "在 TikTok 上投放为广告", "发布到账号…", '<td class="field-hook_type">数字型</td>'],
     ["Video jobs", "Retry failed jobs", "Launch as ad on TikTok", "Publish to accounts…", "number (数字型)"]),
    ("/admin/optimization/optimizationqueue/", ["优化队列", "确认投放所选变体", "待确认", "预估成本"],
     ["Optimization queue", "Approve and launch selected variants", "waiting for approval", "Estimated cost"]),
]


def page(client, path: str, **headers) -> str:
    response = client.get(path, **headers)
    assert response.status_code == HTTPStatus.OK, path
    return response.content.decode()


@pytest.mark.parametrize(("path", "chinese", "english"), PAGES, ids=[path for path, _zh, _en in PAGES])
def test_a_page_is_in_chinese_when_chinese_is_chosen(boss, shop, path, chinese, english):
    boss.cookies[COOKIE] = "zh-hans"

    html = page(boss, path)

    assert [text for text in chinese if text not in html] == []
    assert [text for text in english if text in html] == []
    assert '<html lang="zh-hans"' in html


@pytest.mark.parametrize(("path", "chinese", "english"), PAGES, ids=[path for path, _zh, _en in PAGES])
def test_a_page_is_in_english_when_english_is_chosen(boss, shop, path, chinese, english):
    boss.cookies[COOKIE] = "en"

    html = page(boss, path)

    assert [text for text in english if text not in html] == []
    assert [text for text in chinese if text in html] == []


def test_an_action_log_entry_names_its_action_and_object_in_the_page_language(boss, shop):
    entry = ActionLog.objects.get()
    url = reverse("admin:scheduler_actionlog_change", args=[entry.pk])
    boss.cookies[COOKIE] = "zh-hans"

    html = page(boss, url)

    assert '<div class="readonly">暂停</div>' in html and '<div class="readonly">广告</div>' in html
    boss.cookies[COOKIE] = "en"
    assert '<div class="readonly">pause</div>' in page(boss, url)


def test_chinese_is_the_default_and_a_chinese_browser_gets_it(boss, shop, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    assert "总览" in page(boss, "/analytics/")

    settings.LANGUAGE_CODE = "en"
    assert "总览" in page(boss, "/analytics/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9,en;q=0.5")
    assert "Overview" in page(boss, "/analytics/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")


def test_the_charts_get_their_titles_and_stage_names_in_the_page_language(boss, shop):
    boss.cookies[COOKIE] = "zh-hans"

    data = boss.get("/analytics/").context["data"]

    assert data["labels"]["spend"] == "消耗" and data["labels"]["target"] == "目标 ROAS"
    assert [row["label"] for row in data["stages"]] == ["打品初期", "热度提升期", "爆品期"]


def test_the_language_switch_turns_a_chinese_page_english_and_back(boss, shop):
    boss.cookies[COOKIE] = "zh-hans"
    assert "总览" in page(boss, "/analytics/")

    response = boss.post(reverse("set_language"), {"language": "en", "next": "/analytics/"})

    assert response.status_code == HTTPStatus.FOUND and response["Location"] == "/analytics/"
    html = page(boss, "/analytics/")
    assert "Overview" in html and "总览" not in html

    boss.post(reverse("set_language"), {"language": "zh-hans", "next": "/analytics/"})

    html = page(boss, "/analytics/")
    assert "总览" in html and "Overview" not in html


def test_a_strategy_settings_validation_error_is_shown_in_chinese(boss):
    row = strategy_global_ensure()
    url = reverse("admin:scheduler_strategysettings_change", args=[row.pk])
    boss.cookies[COOKIE] = "zh-hans"
    form = boss.get(url).context["adminform"].form
    data = {name: "" if form[name].value() is None else str(form[name].value()) for name in form.fields}
    data.update({name: "true" if form[name].value() else "" for name in ("dry_run", "kill_switch", "alert_enabled")})

    response = boss.post(url, data | {"scale_down_factor": "1.50"})

    assert response.status_code == HTTPStatus.OK  # the form again, with the message next to the field
    html = response.content.decode()
    assert "缩量系数必须在 0 到 1 之间（它用于下调预算），而不是 1.50。" in html
    assert "between 0 and 1" not in html
    row.refresh_from_db()
    assert row.scale_down_factor == Decimal("0.80")


# --- text written by the automation ---------------------------------------------------------


def _reason(strategy) -> str:
    """Why the budget rule pauses an ad group at ROAS 0.5 (the text its ActionLog row keeps)."""
    decision = budget_decide(
        strategy=strategy, budget=Decimal("100"), spend=Decimal("300"), conversion_value=Decimal("150"), conversions=9,
    )
    assert decision.verdict == "pause"
    return decision.reason


def test_a_logged_reason_is_written_in_the_active_language():
    strategy = strategy_for()
    with translation.override("zh-hans"):
        chinese = _reason(strategy)
    with translation.override("en"):
        english = _reason(strategy)

    assert english.endswith("× target: pause") and chinese.endswith("× 目标：暂停")


def test_a_background_run_writes_in_the_default_language(settings):
    """A worker thread has no active language: it writes in settings.LANGUAGE_CODE."""
    strategy = strategy_for()
    settings.LANGUAGE_CODE = "zh-hans"
    written = []
    worker = threading.Thread(target=lambda: written.append(_reason(strategy)))

    worker.start()
    worker.join()

    assert written[0].endswith("× 目标：暂停")
