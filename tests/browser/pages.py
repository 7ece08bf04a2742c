"""What the browser tests read off a page: drawn charts and the labels people navigate by."""

from django.utils.translation import gettext, override

# A canvas counts as drawn when Chart.js holds a chart for it and it has painted pixels.
_CHART = """(id) => {
  const canvas = document.getElementById(id);
  const chart = canvas && window.Chart && window.Chart.getChart(canvas);
  if (!chart) return null;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return {
    type: chart.config.type,
    labels: chart.data.labels,
    datasets: chart.data.datasets.map((set) => ({ label: set.label, data: set.data })),
    painted: painted,
  };
}"""

# The labels a person navigates by, keyed by where they lead (so the same link can be found in
# another language even where the admin sorts its lists by translated name).
_LABELS = """() => {
  const found = {};
  const groups = {
    nav: "nav.mainnav a",
    link: "#user-tools a, #nav-sidebar a, .breadcrumbs a, #content-main caption a, #content-main th[scope=row] a",
    button: ".session button, #user-tools button, form.language-switch button, #login-form input[type=submit]",
    label: "#login-form label, label[for=language-select]",
  };
  for (const [group, selector] of Object.entries(groups)) {
    document.querySelectorAll(selector).forEach((el, index) => {
      const where = el.tagName === "A" ? el.getAttribute("href") : `${el.getAttribute("for") || el.closest("form")?.getAttribute("action")} ${index}`;
      const text = (el.tagName === "INPUT" ? el.value : el.textContent).replace(/\\s+/g, " ").trim();
      if (text) found[`${group} ${where}`] = text;
    });
  }
  return found;
}"""


def chart(page, canvas_id: str) -> dict | None:
    return page.evaluate(_CHART, canvas_id)


def wait_for_charts(page, canvas_ids: list[str]) -> dict[str, dict]:
    """Wait until every canvas holds a chart with painted pixels; return what each shows."""
    page.wait_for_function(
        "ids => ids.every(id => { const c = document.getElementById(id); return c && window.Chart && window.Chart.getChart(c)"
        " && c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v !== 0); })",
        arg=canvas_ids,
    )
    return {canvas_id: chart(page, canvas_id) for canvas_id in canvas_ids}


def nav_labels(page) -> dict[str, str]:
    return page.evaluate(_LABELS)


def translated(source: str, language: str) -> str:
    with override(language):
        return gettext(source)


def english_leftovers(*, english: dict[str, str], chinese: dict[str, str]) -> dict[str, str]:
    """Labels the Chinese page still shows in English: the same text as in the English page,
    or, for labels whose English text is their msgid (all but the admin's links, which show
    model names through capfirst), not the text the zh-hans catalog gives for it."""
    leftovers = {}
    for key, source in english.items():
        shown = chinese.get(key)
        if shown is None:
            continue
        catalog = translated(source, "zh-hans") if not key.startswith("link ") else source
        if shown == source or (catalog != source and shown != catalog):
            leftovers[key] = shown
    return leftovers
