// The 招商 funnel chart: how far the period's new leads got (线索 → 接洽 → 考察 → 洽谈 → 签约).
(function () {
  const el = document.getElementById("funnel-chart");
  const source = document.getElementById("funnel-chart-data");
  if (!el || !source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const chart = echarts.init(el);
  chart.setOption({
    tooltip: { trigger: "item", formatter: (p) => `${p.name}：${p.value} 个` },
    series: [{
      name: "线索推进", type: "funnel", sort: "none", left: "10%", width: "80%", top: 10, bottom: 10,
      minSize: "8%", gap: 2,
      label: { show: true, position: "inside", formatter: (p) => `${p.name} ${p.value}` },
      itemStyle: { borderColor: "#fff", borderWidth: 1 },
      color: ["#9fb3cf", "#7f9cc4", "#5a83b8", "#3b6fae", "#1f5fa8"],
      data: data.stages.map((name, i) => ({ name, value: data.counts[i] })),
    }],
  });
  el.dataset.ready = "1";
  window.addEventListener("resize", () => chart.resize());
})();
