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
  var regList = document.getElementById("reg-list");
  if (!data.regressions.length) {
    // A sentence, not a numbered item.
    regList.replaceWith(el("p", "empty", "No regression in the recorded history."));
  }
  data.regressions.forEach(function (f) {
    var s = data.series[f.series];
    var li = el("li");
    li.appendChild(el("span", "badge " + f.tier, f.tier));
    li.appendChild(document.createTextNode(" " + s.id + " (" + s.metric + ") " +
      (f.change_pct === null ? "" : (f.change_pct >= 0 ? "+" : "") + f.change_pct + " % ") + "at "));
    var url = commitUrl(f.run);
    var sha = el(url ? "a" : "span", null, shortSha(f.run));
    if (url) sha.href = url;
    li.appendChild(sha);
    regList.appendChild(li);
  });

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
    var s = data.series[Number(box.getAttribute("data-series"))];
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
