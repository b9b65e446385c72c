// Small ECharts helpers for the pages: the 三个一批 rate chart.
(function () {
  const el = document.getElementById("rate-chart");
  if (!el || !window.echarts) return;
  const rates = JSON.parse(el.dataset.rates);
  const countRates = JSON.parse(el.dataset.countRates);
  const chart = echarts.init(el);
  const label = { show: true, position: "right", formatter: (p) => (p.value == null ? "—" : `${p.value}%`) };
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : `${v}%`) },
    legend: { data: ["按投资", "按个数"], bottom: 0 },
    grid: { left: 70, right: 60, top: 10, bottom: 40 },
    xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
    yAxis: { type: "category", inverse: true, data: ["开工率", "投产率", "达产率"] },
    series: [
      { name: "按投资", type: "bar", data: rates, itemStyle: { color: "#1f5fa8" }, label },
      { name: "按个数", type: "bar", data: countRates, itemStyle: { color: "#9fb3cf" }, label },
    ],
  });
  el.dataset.ready = "1";
  window.addEventListener("resize", () => chart.resize());
})();
