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

// A long list of checkboxes among people (data-dune-search): a box above it narrows
// the list to the names that contain what is typed (accents and case aside).
(function () {
  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function searchable(fieldset) {
    if (fieldset.querySelector(".dune-search")) return;
    var groups = Array.prototype.slice.call(fieldset.querySelectorAll(".fr-checkbox-group"));
    if (groups.length < 8) return;
    var box = document.createElement("input");
    box.type = "search";
    box.className = "fr-input dune-search fr-mb-1w";
    box.setAttribute("aria-label", document.documentElement.lang === "en" ? "Filter the list" : "Filtrer la liste");
    box.placeholder = document.documentElement.lang === "en" ? "Type a name…" : "Saisissez un nom…";
    box.addEventListener("input", function () {
      var wanted = plain(box.value.trim());
      groups.forEach(function (group) {
        group.hidden = wanted !== "" && plain(group.textContent).indexOf(wanted) === -1;
      });
    });
    var first = groups[0];
    first.parentNode.insertBefore(box, first);
  }
  function all() {
    var seen = [];
    Array.prototype.forEach.call(document.querySelectorAll("input[data-dune-search]"), function (input) {
      var fieldset = input.closest("fieldset") || input.parentNode.parentNode;
      if (seen.indexOf(fieldset) === -1) { seen.push(fieldset); searchable(fieldset); }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all);
  else all();
})();
