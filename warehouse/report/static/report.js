// The report site's only script: inlined into every page. Sortable tables, and on evidence pages a click
// on a number shows the box it was printed in on the rendered source page.
(function () {
  function cellValue(td) {
    var v = td.getAttribute("data-sort");
    if (v === null) v = td.textContent.trim();
    var n = parseFloat(v);
    return isNaN(n) ? v : n;
  }
  function sortBy(table, index, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.getAttribute("data-dir") !== "asc";
    rows.sort(function (a, b) {
      var x = cellValue(a.cells[index]), y = cellValue(b.cells[index]);
      if (x === "" || x === "—") return 1;
      if (y === "" || y === "—") return -1;
      if (typeof x === "number" && typeof y === "number") return asc ? x - y : y - x;
      return asc ? String(x).localeCompare(String(y), "zh") : String(y).localeCompare(String(x), "zh");
    });
    rows.forEach(function (r) { body.appendChild(r); });
    th.setAttribute("data-dir", asc ? "asc" : "desc");
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.classList.add("sortable");
      th.addEventListener("click", function () { sortBy(table, i, th); });
    });
  });
  document.querySelectorAll("td.cell[data-box]").forEach(function (td) {
    td.addEventListener("click", function () {
      document.querySelectorAll(".active").forEach(function (e) { e.classList.remove("active"); });
      td.classList.add("active");
      var rect = document.getElementById(td.getAttribute("data-box"));
      if (rect) {
        rect.classList.add("active");
        rect.scrollIntoView({ block: "center", behavior: "smooth" });
      }
    });
  });
})();
