// The home page's map: Shanxi's city boundaries (a sketch map, not a standard map) and the user's zones.
(function () {
  const el = document.getElementById("zone-map");
  if (!el || !window.echarts) return;
  const points = JSON.parse(document.getElementById("zone-points").textContent);
  const chart = echarts.init(el, null, { renderer: "canvas" });
  fetch(el.dataset.geojson).then((r) => r.json()).then((geo) => {
    echarts.registerMap("shanxi", geo);
    const series = (level, name, color) => ({
      name, type: "scatter", coordinateSystem: "geo", symbolSize: level === "national" ? 14 : 10,
      itemStyle: { color, borderColor: "#fff", borderWidth: 1 },
      data: points.filter((p) => p.level === level),
      label: { show: points.length <= 12, formatter: (p) => p.data.name, position: "right", fontSize: 11 },
      labelLayout: { hideOverlap: true },
    });
    // A city's or a zone's user sees their city highlighted and brought forward.
    const cities = [...new Set(points.map((p) => p.city).filter(Boolean))];
    const feature = cities.length === 1 && geo.features.find((f) => f.properties.name === cities[0]);
    const focus = feature ? { center: feature.properties.cp, zoom: 1.8 } : { zoom: 1.1 };
    chart.setOption({
      tooltip: { trigger: "item", formatter: (p) => p.data && p.data.full_name ? `${p.data.full_name}<br>${p.data.city || ""}` : p.name },
      legend: { bottom: 0, data: ["国家级", "省级"] },
      graphic: [{ type: "text", right: 10, bottom: 28, style: { text: "示意图，非标准地图", fill: "#999", fontSize: 12 } }],
      geo: {
        map: "shanxi", roam: true, nameProperty: "name", ...focus,
        regions: cities.map((name) => ({ name, itemStyle: { areaColor: "#d4e3f5" } })),
        label: { show: true, color: "#6b778c", fontSize: 11 },
        itemStyle: { areaColor: "#eef3fa", borderColor: "#9fb3cf" },
        emphasis: { itemStyle: { areaColor: "#dbe7f6" }, label: { color: "#1f2d3d" } },
      },
      series: [series("national", "国家级", "#c0392b"), series("provincial", "省级", "#1f5fa8")],
    });
    el.dataset.ready = "1";
    el.dataset.pointCount = String(points.length);
  });
  chart.on("click", (p) => { if (p.data && p.data.id) window.location = `${el.dataset.detailUrl}${p.data.id}/`; });
  window.addEventListener("resize", () => chart.resize());
})();
