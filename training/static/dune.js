// Each table cell carries its column's name (data-label), which a phone's layout shows
// before the value (dune.css). Progressive: without JavaScript, the wide layout stays.
(function () {
  function label(table) {
    var heads = Array.prototype.map.call(
      table.querySelectorAll("thead tr:last-child th"),
      function (th) { return th.textContent.trim(); }
    );
    if (!heads.length) return;
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (!cell.hasAttribute("data-label")) cell.setAttribute("data-label", heads[column] || "");
        column += cell.colSpan || 1;
      });
    });
  }
  function all() { Array.prototype.forEach.call(document.querySelectorAll("table"), label); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
