// bench-bot dashboard: draws one uPlot chart per benchmark metric, lazily as charts
// scroll into view. All text from the data is set with textContent, never as HTML.
(function () {
  "use strict";
  var body = document.body;
  var errors = 0;
  window.addEventListener("error", function () {
    errors += 1;
    body.setAttribute("data-errors", String(errors));
  });

  var data = JSON.parse(document.getElementById("data").textContent);
  // Series of consecutive runs carry only their first run index.
  data.series.forEach(function (s) {
    if (!s.x) {
      s.x = new Array(s.y.length);
      for (var k = 0; k < s.y.length; k++) s.x[k] = s.x0 + k;
    }
  });
  var runs = data.runs;
  var TIERS = ["", "notice", "warning", "critical"];
  var COLORS = { critical: "#cf222e", warning: "#bc4c00", notice: "#9a6700" };

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function scale(unit, max) {
    var steps = {
      "ns": [[1e9, "s"], [1e6, "ms"], [1e3, "µs"], [1, "ns"]],
      "B": [[1073741824, "GiB"], [1048576, "MiB"], [1024, "KiB"], [1, "B"]],
      "B/s": [[1073741824, "GiB/s"], [1048576, "MiB/s"], [1024, "KiB/s"], [1, "B/s"]],
      "ops/s": [[1e9, "Gops/s"], [1e6, "Mops/s"], [1e3, "Kops/s"], [1, "ops/s"]],
      "elements/s": [[1e9, "Gelem/s"], [1e6, "Melem/s"], [1e3, "Kelem/s"], [1, "elem/s"]]
    }[unit] || [[1, unit]];
    for (var i = 0; i < steps.length; i++) if (Math.abs(max) >= steps[i][0]) return steps[i];
    return steps[steps.length - 1];
  }

  function fmt(v) {
    if (v === null || v === undefined) return "–";
    var a = Math.abs(v);
    return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
  }

  function shortSha(i) {
    var r = runs[i];
    return r && r.sha ? r.sha.slice(0, 7) : "#" + (i + 1);
  }

  function commitUrl(i) {
    var r = runs[i];
    return data.repo_url && r && r.sha ? data.repo_url + "/commit/" + r.sha : null;
  }

  // A run's time as people read it: "2026-11-24 05:45 UTC" (the raw value when it
  // does not parse).
  function readableDate(s) {
    var t = s ? new Date(s) : null;
    if (!t || isNaN(t.getTime())) return s || "";
    return t.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  // Header and the newest regressions.
  document.getElementById("meta").textContent =
    data.series.length + " benchmark metrics over " + runs.length + " runs" +
    (runs.length && runs[runs.length - 1].date ? ", newest " + readableDate(runs[runs.length - 1].date) : "");
  // A run's short commit, linked when the repository is known.
  function commitLink(run) {
    var url = commitUrl(run);
    var a = el(url ? "a" : "span", null, shortSha(run));
    if (url) a.href = url;
    return a;
  }
  var regList = document.getElementById("reg-list");
  if (!data.regressions.length) {
    // A sentence, not a numbered item.
    regList.replaceWith(el("p", "empty", "No regression in the recorded history."));
  }
  // A signed percentage as the reports write it: a true minus sign.
  function pct(v) { return (v >= 0 ? "+" : "\u2212") + Math.abs(v) + " %"; }
  data.regressions.forEach(function (f) {
    var s = data.series[f.series];
    var li = el("li");
    li.appendChild(el("span", "badge " + f.tier, f.tier));
    li.appendChild(document.createTextNode(" " + s.id + " (" + s.metric + ") " +
      (f.change_pct === null ? "" : pct(f.change_pct) + " ") + "at "));
    li.appendChild(commitLink(f.run));
    // A slower level stays flagged until the window holds it: one entry for the run.
    if (f.points > 1) {
      li.appendChild(document.createTextNode(", flagged in " + f.points + " runs to "));
      li.appendChild(commitLink(f.last_run));
    }
    regList.appendChild(li);
  });

  // Change points, newest first: runner shifts once each, then the benchmarks'.
  var changeList = document.getElementById("change-list");
  function range(li, before, after) {
    li.appendChild(document.createTextNode(" at "));
    li.appendChild(commitLink(before));
    li.appendChild(document.createTextNode(".."));
    li.appendChild(commitLink(after));
  }
  var listed = [];
  data.shifts.forEach(function (sh) { listed.push({ run: sh.run, shift: sh }); });
  data.changes.forEach(function (c) { if (c.kind !== "runner-shift") listed.push({ run: c.run, change: c }); });
  listed.sort(function (a, b) { return b.run - a.run; });
  if (!listed.length) {
    changeList.replaceWith(el("p", "empty", "No change point in the recorded history."));
  }
  // The newest 10 in view, the rest behind a toggle.
  var more = null;
  if (listed.length > 10) {
    var details = el("details");
    details.appendChild(el("summary", null, (listed.length - 10) + " older change points"));
    more = el("ol");
    more.setAttribute("start", "11");
    details.appendChild(more);
    changeList.after(details);
  }
  listed.forEach(function (item, n) {
    var li = el("li");
    if (item.shift) {
      var sh = item.shift;
      li.appendChild(el("span", "badge runner-shift", "runner shift"));
      li.appendChild(document.createTextNode(" the runner moved: " + sh.benchmarks + " of " + sh.of +
        " benchmarks " + pct(sh.change_pct) + " together"));
      range(li, sh.before_run, sh.run);
    } else {
      var c = item.change;
      var s = data.series[c.series];
      var label = c.kind === "regression" && c.tier !== "none" ? c.tier : c.kind;
      li.appendChild(el("span", "badge " + (c.kind === "regression" && c.tier !== "none" ? c.tier : c.kind), label));
      li.appendChild(document.createTextNode(" " + s.id + " (" + s.metric + ") " + pct(c.change_pct)));
      range(li, c.before_run, c.run);
    }
    (n < 10 || !more ? changeList : more).appendChild(li);
  });
  var marksBySeries = {};
  data.changes.forEach(function (c) { (marksBySeries[c.series] = marksBySeries[c.series] || []).push(c); });

  // Groups and chart containers.
  var groups = {};
  data.series.forEach(function (s, i) { (groups[s.group] = groups[s.group] || []).push(i); });
  var main = document.getElementById("groups");
  var containers = [];
  Object.keys(groups).sort().forEach(function (name) {
    var section = el("section", "group");
    section.appendChild(el("h2", null, name));
    var grid = el("div", "charts");
    groups[name].forEach(function (i) {
      var s = data.series[i];
      var box = el("div", "chart");
      box.setAttribute("data-series", String(i));
      box.setAttribute("data-name", (s.id + " " + s.metric).toLowerCase());
      var h = el("h3", null, s.id + " ");
      h.appendChild(el("span", "unit", s.metric));
      if (s.bimodal) {
        var badge = el("span", "badge mode-switch", "bimodal");
        badge.title = "alternates between two levels; a jump between them is a mode switch";
        h.appendChild(document.createTextNode(" "));
        h.appendChild(badge);
      }
      box.appendChild(h);
      grid.appendChild(box);
      containers.push(box);
    });
    section.appendChild(grid);
    main.appendChild(section);
  });
  body.setAttribute("data-charts", String(containers.length));

  var tip = document.getElementById("tip");
  var drawn = 0;

  function draw(box) {
    if (box.getAttribute("data-drawn")) return;
    box.setAttribute("data-drawn", "1");
    var seriesIndex = Number(box.getAttribute("data-series"));
    var s = data.series[seriesIndex];
    var max = Math.max.apply(null, s.y.concat([0]));
    var sc = scale(s.unit, max);
    var div = sc[0];
    var d = function (v) { return v === null ? null : v / div; };
    var flagged = [1, 2, 3].map(function (t) {
      return s.tier.map(function (level, k) { return level === t ? d(s.y[k]) : null; });
    });
    var plotData = [s.x, s.lo.map(d), s.hi.map(d), s.y.map(d)].concat(flagged.reverse());
    var width = Math.max(300, box.clientWidth - 16);
    var u = new uPlot({
      width: width,
      height: 200,
      legend: { show: false },
      scales: { x: { time: false } },
      axes: [
        // Whole runs only, at least 72 px apart, so commit labels never overlap.
        {
          space: 72,
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
          values: function (_, ticks) { return ticks.map(function (t) { return Number.isInteger(t) ? shortSha(t) : ""; }); }
        },
        { label: sc[1], size: 56 }
      ],
      series: [
        {},
        { stroke: "rgba(9,105,218,0.25)", points: { show: false } },
        { stroke: "rgba(9,105,218,0.25)", points: { show: false } },
        { stroke: "#0969da", width: 1.5, points: { show: true, size: 4 } },
        { stroke: COLORS.critical, paths: function () { return null; }, points: { show: true, size: 9, fill: COLORS.critical } },
        { stroke: COLORS.warning, paths: function () { return null; }, points: { show: true, size: 8, fill: COLORS.warning } },
        { stroke: COLORS.notice, paths: function () { return null; }, points: { show: true, size: 7, fill: COLORS.notice } }
      ],
      bands: [{ series: [2, 1], fill: "rgba(9,105,218,0.10)" }],
      hooks: {
        // Runner shifts as a grey band, change points as a dashed line at their run
        // with the level before and after it.
        draw: [function (u) {
          var ctx = u.ctx, top = u.bbox.top, height = u.bbox.height;
          var xpos = function (run) { return u.valToPos(run, "x", true); };
          var ypos = function (v) { return u.valToPos(v / div, "y", true); };
          ctx.save();
          data.shifts.forEach(function (sh) {
            var a = xpos(sh.before_run), b = xpos(sh.run);
            ctx.fillStyle = "rgba(110,119,129,0.18)";
            ctx.fillRect(Math.min(a, b) - 2, top, Math.abs(b - a) + 4, height);
          });
          var marks = (marksBySeries[seriesIndex] || []).slice().sort(function (a, b) { return a.run - b.run; });
          var first = s.x[0], last = s.x[s.x.length - 1];
          // A bimodal history's two levels, dotted across the chart.
          (s.bimodal || []).forEach(function (level) {
            ctx.strokeStyle = "#8250df";
            ctx.lineWidth = 1 * devicePixelRatio;
            ctx.setLineDash([1.5 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.beginPath(); ctx.moveTo(xpos(first), ypos(level)); ctx.lineTo(xpos(last), ypos(level)); ctx.stroke();
          });
          ctx.setLineDash([]);
          marks.forEach(function (c, k) {
            var color = c.kind === "improvement" ? "#1a7f37" : c.kind === "regression" ? (COLORS[c.tier] || COLORS.warning) : "#6e7781";
            var x = xpos(c.run - 0.5);
            ctx.strokeStyle = color;
            ctx.lineWidth = 1.5 * devicePixelRatio;
            ctx.setLineDash([4 * devicePixelRatio, 3 * devicePixelRatio]);
            ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
            ctx.setLineDash([]);
            var from = k > 0 ? marks[k - 1].run - 0.5 : first;
            var to = k + 1 < marks.length ? marks[k + 1].run - 0.5 : last;
            ctx.beginPath(); ctx.moveTo(xpos(from), ypos(c.before)); ctx.lineTo(x, ypos(c.before)); ctx.stroke();
            ctx.beginPath(); ctx.moveTo(x, ypos(c.after)); ctx.lineTo(xpos(to), ypos(c.after)); ctx.stroke();
          });
          ctx.restore();
        }],
        setCursor: [function (u) {
          var idx = u.cursor.idx;
          if (idx === null || idx === undefined || u.cursor.left < 0) { tip.hidden = true; return; }
          var run = s.x[idx];
          var r = runs[run] || {};
          var tier = TIERS[s.tier[idx]];
          tip.textContent = (r.sha ? r.sha.slice(0, 12) : "run " + (run + 1)) + (r.date ? "  " + readableDate(r.date) : "") +
            "\n" + fmt(s.y[idx] / div) + " " + sc[1] +
            (s.lo[idx] !== null ? "\nband " + fmt(s.lo[idx] / div) + " – " + fmt(s.hi[idx] / div) : "") +
            (tier ? "\n" + tier : "") + (commitUrl(run) ? "\nclick to open the commit" : "");
          var rect = u.over.getBoundingClientRect();
          tip.style.left = (rect.left + u.cursor.left + 12) + "px";
          tip.style.top = (rect.top + u.cursor.top + 12) + "px";
          tip.hidden = false;
        }]
      }
    }, plotData, box);
    u.over.addEventListener("mouseleave", function () { tip.hidden = true; });
    u.over.addEventListener("click", function () {
      var idx = u.cursor.idx;
      var url = idx === null || idx === undefined ? null : commitUrl(s.x[idx]);
      if (url) window.open(url, "_blank", "noopener");
    });
    drawn += 1;
    body.setAttribute("data-drawn", String(drawn));
  }

  // Charts on the first screen are drawn at once, the rest as they scroll into view.
  var fold = window.innerHeight + 400;
  containers.forEach(function (c) {
    if (c.getBoundingClientRect().top < fold) draw(c);
  });
  if ("IntersectionObserver" in window) {
    var io = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting) { draw(e.target); io.unobserve(e.target); }
      });
    }, { rootMargin: "400px" });
    containers.forEach(function (c) { io.observe(c); });
  } else {
    containers.forEach(draw);
  }

  // Filtering by name.
  document.getElementById("search").addEventListener("input", function (e) {
    var q = e.target.value.trim().toLowerCase();
    containers.forEach(function (c) {
      c.classList.toggle("hidden", q !== "" && c.getAttribute("data-name").indexOf(q) < 0);
    });
    Array.prototype.forEach.call(document.querySelectorAll(".group"), function (g) {
      g.classList.toggle("hidden", !g.querySelector(".chart:not(.hidden)"));
    });
  });

  body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  body.setAttribute("data-status", "ready");
})();
