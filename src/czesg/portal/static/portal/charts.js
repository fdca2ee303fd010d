/* Portal charts: an enterprise's indicator trends (#trend-data) and the industry benchmark
   histogram (#histogram-data), drawn with ECharts when the page carries the data. */
(function () {
  "use strict";

  function read(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function trends(rows) {
    rows.forEach(function (t, i) {
      echarts.init(document.getElementById("trend-" + (i + 1))).setOption({
        tooltip: {trigger: "axis"}, grid: {left: 60, right: 16, top: 16, bottom: 28},
        xAxis: {type: "category", data: t.years}, yAxis: {type: "value", scale: true},
        series: [{type: "line", data: t.values, symbolSize: 8, itemStyle: {color: "#17715a"}}]
      });
    });
  }

  function histogram(data) {
    var element = document.getElementById("histogram");
    echarts.init(element).setOption({
      tooltip: {}, grid: {left: 50, right: 20, bottom: 80},
      xAxis: {type: "category", data: data.labels, axisLabel: {rotate: 40}},
      yAxis: {type: "value", name: element.getAttribute("data-axis-name")},
      series: [{type: "bar", data: data.counts.map(function (n, i) {
        return {value: n, itemStyle: {color: i === data.focus ? "#9a6b00" : "#17715a"}};
      })}]
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var t = read("trend-data");
    if (t) trends(t);
    var h = read("histogram-data");
    if (h) histogram(h);
  });
})();
