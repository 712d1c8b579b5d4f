// Draws the dashboard charts from the JSON the page carries; the same numbers
// are in the tables under each chart for screen readers and for printing.
(function () {
  "use strict";

  // Colour-blind-safe palette (Okabe-Ito), dark enough for text contrast on white.
  var DECISION_COLOURS = {
    authorised: "#117733",
    hold: "#b35806",
    licence_required: "#0b5394",
    refused: "#a40e26",
  };
  var ACCENT = "#0b5394";

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    Chart.defaults.font.family = "system-ui, 'DejaVu Sans', sans-serif";
    Chart.defaults.color = "#1b1f24";
    Chart.defaults.animation = false;
    Chart.defaults.maintainAspectRatio = false;

    new Chart(document.getElementById("chart-pipeline"), {
      type: "bar",
      data: {
        labels: data.pipeline.labels,
        datasets: [{ label: "Applications", data: data.pipeline.values, backgroundColor: ACCENT }],
      },
      options: {
        indexAxis: "y",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } },
      },
    });

    new Chart(document.getElementById("chart-decisions"), {
      type: "bar",
      data: {
        labels: data.decisions.labels,
        datasets: data.decisions.series.map(function (series) {
          return { label: series.label, data: series.values, backgroundColor: DECISION_COLOURS[series.key] };
        }),
      },
      options: {
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
      },
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
