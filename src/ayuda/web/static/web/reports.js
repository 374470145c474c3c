// Report charts (issue 13): every <div class="report-chart" data-chart="ID"> gets a Chart.js
// chart drawn from the JSON in <script type="application/json" id="ID"> (reports/tables.py
// Table.chart_data: {type, labels, datasets}). Types: "bar", "stacked" (bars stacked), "line".
// Colours come from the stylesheet's custom properties (--chart-1 … --chart-6, --fg, --line),
// so the page's CSS decides them; no inline style is written. The numbers are in the table
// beside each chart: without Chart.js (blocked, failed to load) the page still says it all.
"use strict";

(() => {
  const charts = new WeakMap(); // canvas -> its Chart, so a redraw never doubles a chart

  function cssVar(name, fallback) {
    const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
    return value || fallback;
  }

  function palette() {
    const fallback = ["#1f6feb", "#c0362c", "#9a6700", "#1a7f37", "#8250df", "#667085"];
    return fallback.map((colour, i) => cssVar(`--chart-${i + 1}`, colour));
  }

  function readData(id) {
    const script = document.getElementById(id);
    if (!script) return null;
    try {
      return JSON.parse(script.textContent);
    } catch {
      return null;
    }
  }

  function config(data) {
    const colours = palette();
    const stacked = data.type === "stacked";
    const line = data.type === "line";
    const text = cssVar("--fg", "#1d2330");
    const grid = cssVar("--line", "#e3e6eb");
    const still = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
    return {
      type: line ? "line" : "bar",
      data: {
        labels: data.labels || [],
        datasets: (data.datasets || []).map((set, i) => ({
          label: set.label,
          data: set.data,
          backgroundColor: colours[i % colours.length],
          borderColor: colours[i % colours.length],
          borderWidth: line ? 2 : 0,
          pointRadius: line ? 2 : undefined,
          spanGaps: true,
          fill: false,
        })),
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: still ? false : undefined,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { labels: { color: text } } },
        scales: {
          x: { stacked, ticks: { color: text }, grid: { color: grid } },
          y: { stacked, beginAtZero: true, ticks: { color: text }, grid: { color: grid } },
        },
      },
    };
  }

  function draw(root) {
    if (typeof window.Chart !== "function") return; // the tables carry the numbers
    const scope = root && root.querySelectorAll ? root : document;
    const boxes = [...scope.querySelectorAll(".report-chart[data-chart]")];
    if (scope.matches?.(".report-chart[data-chart]")) boxes.push(scope);
    for (const box of boxes) {
      const canvas = box.querySelector("canvas");
      const data = canvas && readData(box.dataset.chart);
      if (!data || !["bar", "stacked", "line"].includes(data.type)) continue;
      const existing = charts.get(canvas) || window.Chart.getChart?.(canvas);
      if (existing) existing.destroy();
      try {
        charts.set(canvas, new window.Chart(canvas, config(data)));
      } catch (error) {
        console.warn("Chart not drawn", box.dataset.chart, error);
      }
    }
  }

  function start() {
    draw(document);
    document.body.addEventListener("htmx:afterSettle", (event) => draw(event.target));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
