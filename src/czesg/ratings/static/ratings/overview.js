/* City ratings overview: draw the grade charts by industry and district from #chart-data. */
(function () {
  "use strict";
  var COLOURS = ["#0f5443", "#17715a", "#4f9d7e", "#c8a13a", "#d7b860", "#e6cf91", "#d9705f", "#c4493b", "#b3261e"];

  document.addEventListener("DOMContentLoaded", function () {
    var node = document.getElementById("chart-data");
    if (!node) return;
    var data = JSON.parse(node.textContent);
    ["industry", "district"].forEach(function (by) {
      var element = document.getElementById("chart-" + by);
      var rows = data[by];
      echarts.init(element).setOption({
        tooltip: {trigger: "axis", axisPointer: {type: "shadow"}},
        animationDuration: 300, legend: {top: 0}, grid: {left: 50, right: 16, top: 64, bottom: 90},
        xAxis: {type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: {rotate: 30}},
        yAxis: {type: "value", name: element.getAttribute("data-axis-name")},
        series: data.grades.map(function (g, i) {
          return {name: g, type: "bar", stack: "grades", itemStyle: {color: COLOURS[i % COLOURS.length]},
                  data: rows.map(function (r) { return r.counts[g] || 0; })};
        })
      });
    });
  });
})();
