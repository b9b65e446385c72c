// Spreadsheet feel: paste a row copied from Excel into one cell and it fills the cells to its right;
// the computed growth follows the figures as they are typed.
(function () {
  const cells = Array.from(document.querySelectorAll("#report-grid input.cell"));
  cells.forEach((input) => input.addEventListener("paste", (e) => {
    const text = (e.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(text.trim())) return;
    e.preventDefault();
    const values = text.trim().split(/\t|\r?\n/);
    const start = cells.indexOf(input);
    values.forEach((v, i) => { if (cells[start + i]) cells[start + i].value = v.trim().replace(/,/g, ""); });
    update();
  }));
  function update() {
    document.querySelectorAll("#report-grid td.computed").forEach((td) => {
      const code = td.dataset.code;
      const ytd = parseFloat((document.querySelector(`[name="${code}-ytd"]`) || {}).value);
      const last = parseFloat((document.querySelector(`[name="${code}-last"]`) || {}).value);
      td.textContent = isFinite(ytd) && isFinite(last) && last !== 0 ? ((ytd - last) / last * 100).toFixed(2) : "—";
    });
  }
  cells.forEach((c) => c.addEventListener("input", update));
  update();
})();
