/* claimtrail: sort and filter the claims table. The table is complete without JavaScript. */
(function () {
  "use strict";

  function setup() {
    var table = document.querySelector("[data-ct-table]");
    var form = document.querySelector("[data-ct-filters]");
    if (!table || table.dataset.ctReady) return;
    table.dataset.ctReady = "1";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var count = form ? form.querySelector("[data-ct-count]") : null;

    function cellValue(row, index, kind) {
      var cell = row.cells[index];
      var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
      if (kind === "number") {
        var n = parseFloat(raw);
        return isNaN(n) ? -Infinity : n;
      }
      return raw.toLowerCase();
    }

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      th.tabIndex = 0;
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = cellValue(a, index, kind), y = cellValue(b, index, kind);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) { if (event.key === "Enter") sort(); });
    });

    if (!form) return;
    form.hidden = false;
    var controls = Array.prototype.slice.call(form.querySelectorAll("[data-filter]"));
    var params = new URLSearchParams(window.location.search);
    controls.forEach(function (control) {
      var wanted = params.get(control.getAttribute("data-filter"));
      if (wanted) control.value = wanted;
    });

    function apply() {
      var shown = 0;
      rows.forEach(function (row) {
        var visible = controls.every(function (control) {
          var key = control.getAttribute("data-filter");
          var value = control.value.trim().toLowerCase();
          if (!value) return true;
          if (key === "text") return row.cells[0].textContent.toLowerCase().indexOf(value) !== -1;
          return (row.getAttribute("data-" + key) || "").split(" ").indexOf(value) !== -1;
        });
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      if (count) count.textContent = shown + " of " + rows.length + " claims";
    }
    controls.forEach(function (control) {
      control.addEventListener("input", apply);
      control.addEventListener("change", apply);
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
