/* Dashboards: draw the ECharts charts of the city, zone and task pages from #dashboard-data. */
(function () {
  "use strict";
  var GREEN = "#17715a", BLUE = "#1f5f99", RED = "#b3261e", AMBER = "#9a6b00", GREY = "#8a9aa3";
  var GRADE_COLOURS = ["#0f5443", "#17715a", "#3f9a7f", "#7fbf9f", "#c9c36a", "#e0a84a",
                       "#d9773f", "#c2452f", "#8f1d16", "#c8d0d4"];
  var charts = [];

  function data() {
    var node = document.getElementById("dashboard-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function draw(element, option) {
    if (!element) return null;
    var chart = echarts.getInstanceByDom(element) || echarts.init(element);
    chart.setOption(option, true);
    element.setAttribute("data-rendered", "true");
    if (charts.indexOf(chart) < 0) charts.push(chart);
    return chart;
  }

  function number(value, digits) {
    if (value === null || value === undefined) return "—";
    return Number(value).toLocaleString(undefined, {maximumFractionDigits: digits});
  }

  function niceMax(value) {
    if (!(value > 0)) return 1;
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    return Math.ceil(value / step * 2) * step / 2;
  }

  function bars(labels, values, colour, digits) {
    return {
      tooltip: {trigger: "axis", valueFormatter: function (v) { return number(v, digits); }},
      grid: {left: 70, right: 16, top: 16, bottom: 70},
      xAxis: {type: "category", data: labels, axisLabel: {rotate: labels.length > 5 ? 35 : 0, interval: 0}},
      yAxis: {type: "value"},
      series: [{type: "bar", data: values, itemStyle: {color: colour}}]
    };
  }

  function cityTrends(d) {
    Object.keys(d.targets).forEach(function (key) {
      var t = d.targets[key];
      var element = document.getElementById("trend-" + key);
      var years = t.series.map(function (p) { return String(p[0]); });
      var values = t.series.map(function (p) { return p[1]; });
      draw(element, {
        tooltip: {trigger: "axis"},
        grid: {left: 48, right: 12, top: 12, bottom: 22},
        xAxis: {type: "category", data: years.length ? years : ["—"]},
        yAxis: {type: "value", min: 0, splitNumber: 2,
                max: function (v) { return niceMax(Math.max(v.max, t.target) * 1.1); }},
        series: [{
          type: "line", data: values, symbolSize: 6, itemStyle: {color: GREEN},
          markLine: {symbol: "none", lineStyle: {color: AMBER, type: "dashed"},
                     label: {formatter: d.labels.target + " " + number(t.target, 0), position: "insideEndTop"},
                     data: [{yAxis: t.target}]}
        }]
      });
    });
  }

  function cityBreakdowns(d, by) {
    var b = d.breakdowns[by];
    var labels = b.labels;
    draw(document.getElementById("chart-coverage"), bars(labels, b.metrics.disclosure_coverage.map(function (v) {
      return v === null ? null : Math.round(v * 10) / 10; }), GREEN, 1));
    draw(document.getElementById("chart-emissions"), bars(labels, b.metrics.total_emissions, BLUE, 0));
    draw(document.getElementById("chart-intensity"), bars(labels, b.metrics.emissions_intensity, AMBER, 4));
    draw(document.getElementById("chart-energy"), bars(labels, b.metrics.energy, GREY, 0));
    draw(document.getElementById("chart-grades"), {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {type: "scroll", bottom: 0},
      grid: {left: 60, right: 16, top: 16, bottom: 90},
      xAxis: {type: "category", data: labels, axisLabel: {rotate: labels.length > 5 ? 35 : 0, interval: 0}},
      yAxis: {type: "value"},
      series: d.grades.map(function (grade, i) {
        return {name: grade === "unrated" ? d.labels.unrated : grade, type: "bar", stack: "grades",
                data: b.grades[grade], itemStyle: {color: GRADE_COLOURS[i]}};
      })
    });
    document.querySelectorAll(".breakdown-table").forEach(function (node) {
      node.hidden = node.getAttribute("data-by") !== by;
    });
    document.querySelectorAll("#breakdown-tabs button").forEach(function (button) {
      var chosen = button.getAttribute("data-by") === by;
      button.setAttribute("aria-selected", chosen ? "true" : "false");
      button.classList.toggle("primary", chosen);
    });
  }

  function city(d) {
    cityTrends(d);
    cityBreakdowns(d, "district");
    document.querySelectorAll("#breakdown-tabs button").forEach(function (button) {
      button.addEventListener("click", function () { cityBreakdowns(d, button.getAttribute("data-by")); });
    });
  }

  function zones(d) {
    draw(document.getElementById("chart-ranking"), {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}, valueFormatter: function (v) { return number(v, 1); }},
      legend: {bottom: 0},
      grid: {left: 150, right: 24, top: 10, bottom: 50},
      yAxis: {type: "category", inverse: true, data: d.zones},
      xAxis: {type: "value", max: 100},
      series: d.dimensions.map(function (name, i) {
        return {name: name, type: "bar", stack: "total",
                data: d.contributions.map(function (row) { return Math.round(row[i] * 10) / 10; }),
                itemStyle: {color: [GREEN, BLUE, "#3f9a7f", AMBER, GREY][i % 5]}};
      })
    });
  }

  function zone(d) {
    draw(document.getElementById("chart-dimensions"), {
      tooltip: {},
      radar: {indicator: d.dimensions.map(function (name) { return {name: name, max: 100}; }), radius: "62%"},
      series: [{type: "radar", areaStyle: {opacity: 0.2}, itemStyle: {color: GREEN},
                data: [{value: d.scores.map(function (v) { return Math.round(v * 10) / 10; })}]}]
    });
  }

  function tasks(d) {
    draw(document.getElementById("chart-milestones"), {
      tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
      legend: {bottom: 0},
      grid: {left: 40, right: 16, top: 16, bottom: 50},
      xAxis: {type: "category", data: d.tasks},
      yAxis: {type: "value", minInterval: 1},
      series: [
        {name: d.labels.done, type: "bar", stack: "m", data: d.done, itemStyle: {color: GREEN}},
        {name: d.labels.open, type: "bar", stack: "m", data: d.open, itemStyle: {color: GREY}},
        {name: d.labels.overdue, type: "bar", stack: "m", data: d.overdue, itemStyle: {color: RED}}
      ]
    });
    draw(document.getElementById("chart-days"), {
      tooltip: {trigger: "axis"},
      grid: {left: 50, right: 16, top: 16, bottom: 30},
      xAxis: {type: "category", data: d.tasks},
      yAxis: {type: "value"},
      series: [{type: "bar", data: d.days.map(function (v) {
        return {value: v, itemStyle: {color: v >= d.stalled_after ? AMBER : GREEN}};
      }), markLine: {symbol: "none", lineStyle: {color: AMBER, type: "dashed"},
                     data: [{yAxis: d.stalled_after}]}}]
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var d = data();
    if (!d || typeof echarts === "undefined") return;
    if (document.getElementById("targets")) city(d);
    else if (document.getElementById("zone-ranking")) zones(d);
    else if (document.getElementById("chart-dimensions")) zone(d);
    else if (document.getElementById("task-list")) tasks(d);
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  });
})();
