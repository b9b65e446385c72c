// Enterprise services: pick an enterprise from the lookup; draw the figures' charts.
(function () {
  const results = document.getElementById("lookup-results");
  if (results) {
    results.addEventListener("click", (event) => {
      const button = event.target.closest("button.pick");
      if (!button) return;
      const form = button.closest("form");
      form.querySelector("input[name=enterprise]").value = button.dataset.id;
      const zone = form.querySelector("select[name=zone]");
      if (zone && button.dataset.zone && zone.querySelector(`option[value="${button.dataset.zone}"]`)) {
        zone.value = button.dataset.zone;
      }
      const picked = document.getElementById("picked");
      picked.textContent = `已选：${button.dataset.name}${button.dataset.code ? "（" + button.dataset.code + "）" : ""}`;
      results.innerHTML = "";
      const first = form.querySelector("input[name=category]");
      if (first) first.focus();
    });
  }

  const data = document.getElementById("chart-data");
  if (!data || !window.echarts) return;
  const d = JSON.parse(data.textContent);
  const draw = (id, option) => {
    const el = document.getElementById(id);
    if (!el) return;
    const chart = echarts.init(el);
    chart.setOption(option);
    el.dataset.ready = "1";
    window.addEventListener("resize", () => chart.resize());
  };
  draw("category-chart", {
    tooltip: { trigger: "axis" }, legend: { data: ["受理", "办结"], bottom: 0 },
    grid: { left: 50, right: 20, top: 10, bottom: 40 },
    xAxis: { type: "category", data: d.categories }, yAxis: { type: "value" },
    series: [{ name: "受理", type: "bar", data: d.received, itemStyle: { color: "#1f5fa8" } },
             { name: "办结", type: "bar", data: d.resolved, itemStyle: { color: "#9fb3cf" } }],
  });
  draw("trend-chart", {
    tooltip: { trigger: "axis" }, legend: { data: ["受理", "办结", "按期办结"], bottom: 0 },
    grid: { left: 50, right: 20, top: 10, bottom: 40 },
    xAxis: { type: "category", data: d.trend.map((r) => r.month) }, yAxis: { type: "value" },
    series: [{ name: "受理", type: "line", data: d.trend.map((r) => r.received) },
             { name: "办结", type: "line", data: d.trend.map((r) => r.resolved) },
             { name: "按期办结", type: "line", data: d.trend.map((r) => r.on_time) }],
  });
  draw("satisfaction-chart", {
    title: d.satisfaction.length ? undefined : { text: "暂无评价", left: "center", top: "middle",
                                                 textStyle: { color: "#888", fontSize: 14 } },
    tooltip: { trigger: "item" }, legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["40%", "70%"], data: d.satisfaction,
               color: ["#2e8b57", "#e0a800", "#c0392b"], label: { formatter: "{b}\n{c}件" } }],
  });
})();
