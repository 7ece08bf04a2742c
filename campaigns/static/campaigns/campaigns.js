// Draws a campaign's daily trend charts from the numbers the server rendered (json_script
// "campaign-trend"); each canvas names its series and carries its translated label.
// Without Chart.js (offline, blocked CDN) nothing happens and the daily table stays the page.
(function () {
  "use strict";

  var COLORS = { spend: "#d97706", roas: "#0b6bcb", impressions: "#7c3aed", ctr: "#16a34a" };

  function dataset(label, values, color, extra) {
    return Object.assign(
      { label: label, data: values, borderColor: color, backgroundColor: color, tension: 0.2, pointRadius: 2 },
      extra || {}
    );
  }

  function draw() {
    var source = document.getElementById("campaign-trend");
    if (!source || !window.Chart) {
      return;
    }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("canvas[data-series]").forEach(function (canvas) {
      var key = canvas.dataset.series;
      var datasets = [dataset(canvas.dataset.label, data[key], COLORS[key] || "#0b6bcb")];
      if (canvas.dataset.targetLabel && data.target_roas !== null) {
        // The target as a flat dashed line: days above it are the ones the budget rule scales up.
        var target = data.dates.map(function () { return data.target_roas; });
        datasets.push(dataset(canvas.dataset.targetLabel, target, "#9aa5b1", { borderDash: [6, 4], pointRadius: 0 }));
      }
      canvas.parentElement.hidden = false;
      new window.Chart(canvas, {
        type: "line",
        data: { labels: data.dates, datasets: datasets },
        options: {
          maintainAspectRatio: false,
          spanGaps: false,
          interaction: { mode: "index", intersect: false },
          scales: { y: { beginAtZero: true } },
        },
      });
    });
    // The charts carry the daily figures now; keep their table one click away.
    document.querySelectorAll("details.chart-table").forEach(function (details) {
      details.open = false;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
