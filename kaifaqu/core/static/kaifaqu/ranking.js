// The 前十强 chart of the ranking page: a horizontal bar per zone, best on top.
(function () {
  const el = document.getElementById("ranking-chart");
  const source = document.getElementById("ranking-chart-data");
  if (!el || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(el);
  const scores = data.scores.map(Number);
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: (v) => `${v.toFixed(2)}分` },
    grid: { left: 130, right: 60, top: 10, bottom: 24 },
    xAxis: { type: "value", min: 50, max: 100, axisLabel: { formatter: "{value}" } },
    yAxis: {
      type: "category", inverse: true,
      data: data.names.map((name, i) => `${data.ranks[i]}. ${name}`),
    },
    series: [{
      name: "综合得分", type: "bar", data: scores, itemStyle: { color: "#1f5fa8" },
      label: { show: true, position: "right", formatter: (p) => p.value.toFixed(2) },
    }],
  });
  el.dataset.ready = "1";
  window.addEventListener("resize", () => chart.resize());
})();
