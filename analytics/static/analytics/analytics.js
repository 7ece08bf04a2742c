// Draws the dashboard's charts from the numbers the server already rendered as tables.
// Without Chart.js (offline, blocked CDN) nothing happens and the tables stay the page.
(function () {
  "use strict";

  function draw() {
    var source = document.getElementById("analytics-data");
    if (!source || !window.Chart) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var labels = data.labels;
    var colors = { roas: "#0b6bcb", spend: "#d97706", impressions: "#7c3aed", views: "#0891b2", followers: "#16a34a" };

    function show(canvas) {
      canvas.parentElement.hidden = false;
      return canvas;
    }

    function line(id, dates, datasets, extraOptions) {
      var canvas = document.getElementById(id);
      if (!canvas) {
        return;
      }
      new window.Chart(show(canvas), {
        type: "line",
        data: { labels: dates, datasets: datasets },
        options: Object.assign({
          maintainAspectRatio: false,
          spanGaps: false,
          interaction: { mode: "index", intersect: false },
          scales: { y: { beginAtZero: true } },
        }, extraOptions || {}),
      });
    }

    function series(label, values, color, extra) {
      return Object.assign({ label: label, data: values, borderColor: color, backgroundColor: color, tension: 0.2, pointRadius: 2 }, extra || {});
    }

    var s = data.series;
    line("chart-roas", s.dates, [
      series(labels.roas, s.roas, colors.roas),
      // The target as a flat dashed line: days above it are the ones the budget rule scales up.
      series(labels.target, s.dates.map(function () { return data.target_roas; }), "#9aa5b1", { borderDash: [6, 4], pointRadius: 0 }),
    ]);
    line("chart-spend", s.dates, [series(labels.spend, s.spend, colors.spend)]);
    line("chart-impressions", s.dates, [series(labels.impressions, s.impressions, colors.impressions)]);

    var o = data.organic;
    line("chart-organic", o.dates, [
      series(labels.views, o.views, colors.views, { yAxisID: "y" }),
      series(labels.followers, o.followers, colors.followers, { yAxisID: "y1" }),
    ], {
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      scales: {
        y: { beginAtZero: true, position: "left" },
        y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } },
      },
    });

    var stageCanvas = document.getElementById("chart-stages");
    if (stageCanvas && data.stages.some(function (row) { return row.spend > 0; })) {
      new window.Chart(show(stageCanvas), {
        type: "doughnut",
        data: {
          labels: data.stages.map(function (row) { return row.label; }),
          datasets: [{ label: labels.stage_spend, data: data.stages.map(function (row) { return row.spend; }),
                       backgroundColor: ["#60a5fa", "#f59e0b", "#ef4444"] }],
        },
        options: { maintainAspectRatio: false },
      });
    }

    // The charts carry the daily figures now; keep their tables one click away.
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
