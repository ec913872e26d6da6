// The programme dashboard's charts, drawn from the JSON the page carries (json_script; no
// inline scripts, no eval): the roadmap with frappe-gantt (global `Gantt`) and the benefits
// with Chart.js (global `Chart`). htmx swaps the dashboard body in place, so drawing is
// idempotent and runs again after every settle.
(function () {
  "use strict";

  const DAY = 86400000;

  function readJson(id) {
    const element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  // frappe-gantt writes task names and popups with innerHTML: escape everything we pass.
  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({
      "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    })[c]);
  }

  function formatDay(iso) {
    return new Date(iso + "T00:00:00").toLocaleDateString("en-GB", {
      day: "numeric", month: "short", year: "numeric",
    });
  }

  function svg(name, attributes) {
    const element = document.createElementNS("http://www.w3.org/2000/svg", name);
    for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
    return element;
  }

  function isoDaysAgo(days) {
    const d = new Date(Date.now() - days * DAY);
    return d.toISOString().slice(0, 10);
  }

  // Roadmap ------------------------------------------------------------------------------

  function roadmapPopup(byId) {
    return ({ task, set_title, set_subtitle, set_details }) => {
      const data = byId.get(task.id);
      set_title(escapeHtml(data.name));
      set_subtitle(data.external ? "Another programme" : "");
      const slip = data.slippage_days;
      const lines = [
        data.start_known
          ? `Baseline ${formatDay(data.start)} → ${formatDay(data.baseline_finish)}`
          : `Start unknown (drawn from ${data.start === data.end ? "its finish" : "its first milestone"}) → ${formatDay(data.baseline_finish)}`,
        `Forecast finish ${formatDay(data.end)}` +
          (slip ? ` (${slip > 0 ? "+" : ""}${slip} days)` : " (on baseline)"),
        `Complete ${data.progress}%`,
        ...data.milestones.map((m) =>
          `◆ ${escapeHtml(m.name)}: ${formatDay(m.date)}` +
          (m.slippage_days > 0 ? ` (+${m.slippage_days} days)` : "") +
          (m.done ? " ✓" : "")),
        `<a href="${escapeHtml(data.url)}">Open the project</a>`,
      ];
      set_details(lines.join("<br>"));
    };
  }

  // Milestones as diamonds on their project's bar, placed by date within the bar's span.
  function drawMilestones(container, data) {
    for (const task of data.tasks) {
      if (!task.milestones.length) continue;
      const group = container.querySelector(`.bar-wrapper[data-id="${task.id}"]`);
      const bar = group && group.querySelector(".bar");
      if (!bar) continue;
      const x = +bar.getAttribute("x");
      const y = +bar.getAttribute("y");
      const width = +bar.getAttribute("width");
      const height = +bar.getAttribute("height");
      const start = Date.parse(task.start);
      const end = Date.parse(task.end) + DAY; // frappe-gantt's end day is inclusive
      const size = Math.min(7, height / 3);
      for (const milestone of task.milestones) {
        const at = x + ((Date.parse(milestone.date) + DAY / 2 - start) / (end - start)) * width;
        const cy = y + height / 2;
        const classes = ["milestone-marker"];
        if (milestone.slippage_days > 0) classes.push("milestone-late");
        if (milestone.done) classes.push("milestone-done");
        const diamond = svg("polygon", {
          points: `${at},${cy - size} ${at + size},${cy} ${at},${cy + size} ${at - size},${cy}`,
          class: classes.join(" "),
        });
        const title = svg("title", {});
        title.textContent = `${milestone.name}: ${formatDay(milestone.date)}` +
          (milestone.slippage_days > 0
            ? ` (${milestone.slippage_days} days after its baseline)` : "");
        diamond.appendChild(title);
        group.appendChild(diamond);
      }
    }
  }

  function markLateArrows(container, data) {
    for (const arrow of data.arrows) {
      if (!arrow.late) continue;
      const path = container.querySelector(
        `.arrow path[data-from="${arrow.from}"][data-to="${arrow.to}"]`);
      if (!path) continue;
      path.classList.add("arrow-late");
      const title = svg("title", {});
      title.textContent = `Late upstream: ${arrow.days_late} days`;
      path.appendChild(title);
    }
  }

  function drawRoadmap(container) {
    if (container.dataset.drawn || typeof Gantt === "undefined") return;
    const data = readJson(container.dataset.roadmap);
    if (!data || !data.tasks.length) return;
    container.dataset.drawn = "true";
    const byId = new Map(data.tasks.map((task) => [task.id, task]));
    // frappe-gantt changes the tasks it is given: hand it copies.
    const tasks = data.tasks.map((task) => ({
      id: task.id,
      name: escapeHtml(task.name),
      start: task.start,
      end: task.end,
      progress: task.progress,
      dependencies: [...task.dependencies],
      custom_class: task.custom_class,
    }));
    new Gantt(container, tasks, {
      view_modes: ["Month", "Week", "Year"],
      view_mode_select: true,
      readonly: true,
      infinite_padding: false,
      auto_move_label: true, // keep a bar's name in view when its start is scrolled off
      bar_height: 24,
      padding: 14,
      column_width: 90,
      scroll_to: isoDaysAgo(120),
      popup: roadmapPopup(byId),
      // Runs after every render (the first one and each change of view).
      on_view_change() {
        // frappe-gantt's scale picker has no label of its own.
        const scale = container.querySelector(".viewmode-select");
        if (scale) scale.setAttribute("aria-label", "Roadmap scale");
        drawMilestones(container, data);
        markLateArrows(container, data);
      },
    });
  }

  // Benefits -----------------------------------------------------------------------------

  const PALETTE = ["#0d6efd", "#6f42c1", "#198754", "#d63384", "#fd7e14", "#20c997", "#6c757d"];

  // A vertical line at today, drawn by a small plugin of this chart only.
  const todayLine = {
    id: "todayLine",
    afterDatasetsDraw(chart, args, options) {
      const x = chart.scales.x.getPixelForValue(options.at);
      const { top, bottom } = chart.chartArea;
      if (x < chart.chartArea.left || x > chart.chartArea.right) return;
      const ctx = chart.ctx;
      ctx.save();
      ctx.strokeStyle = "#6c757d";
      ctx.setLineDash([2, 3]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, bottom);
      ctx.stroke();
      ctx.fillStyle = "#6c757d";
      ctx.fillText("today", x + 4, top + 10);
      ctx.restore();
    },
  };

  function drawBenefits(canvas) {
    if (typeof Chart === "undefined" || Chart.getChart(canvas)) return;
    const data = readJson(canvas.dataset.benefits);
    if (!data) return;
    const point = (p) => ({ x: Date.parse(p.x), y: p.y });
    const datasets = [];
    data.benefits.forEach((benefit, index) => {
      const colour = PALETTE[index % PALETTE.length];
      datasets.push({
        label: `${benefit.label}: realised`,
        data: benefit.actual.map(point),
        borderColor: colour,
        backgroundColor: colour,
        pointRadius: 3,
      });
      if (benefit.planned.length) {
        datasets.push({
          label: `${benefit.label}: planned`,
          data: benefit.planned.map(point),
          borderColor: colour,
          borderDash: [6, 4],
          borderWidth: 1.5,
          pointRadius: 0,
        });
      }
    });
    const monthYear = (value) =>
      new Date(value).toLocaleDateString("en-GB", { month: "short", year: "numeric" });
    new Chart(canvas, {
      type: "line",
      data: { datasets },
      plugins: [todayLine],
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { type: "linear", ticks: { callback: monthYear, maxTicksLimit: 8 } },
          y: {
            suggestedMin: 0,
            suggestedMax: 100,
            title: { display: true, text: "% of the way from baseline to target" },
            ticks: { callback: (value) => `${value}%` },
          },
        },
        plugins: {
          todayLine: { at: Date.parse(data.today) },
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              title: (items) => (items.length ? monthYear(items[0].parsed.x) : ""),
              label: (item) => `${item.dataset.label}: ${item.parsed.y}%`,
            },
          },
        },
      },
    });
  }

  // Wiring -------------------------------------------------------------------------------

  function draw() {
    document.querySelectorAll("[data-roadmap]").forEach(drawRoadmap);
    document.querySelectorAll("canvas[data-benefits]").forEach(drawBenefits);
  }

  // Charts whose canvas htmx removed are destroyed so Chart.js lets go of them.
  function forgetRemoved() {
    if (typeof Chart === "undefined") return;
    for (const chart of Object.values(Chart.instances)) {
      if (!chart.canvas.isConnected) chart.destroy();
    }
  }

  document.addEventListener("htmx:afterSettle", () => {
    forgetRemoved();
    draw();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
