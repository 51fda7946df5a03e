/* claimledger: sort and filter the claims table. The table is complete without JavaScript.
   The view (filters and sort) is kept in the address, so that it can be shared. */
document.documentElement.classList.add("ct-js"); // the controls show only where this script runs (claimledger.css)
(function () {
  "use strict";

  var COUNT = new Intl.NumberFormat("en-GB"); // 10,000: as the pages write numbers

  // Material's search dialog has no accessible name (WCAG 4.1.2); it only works with JavaScript.
  function nameSearchDialog() {
    var dialog = document.querySelector('.md-search[role="dialog"]');
    if (dialog && !dialog.hasAttribute("aria-label")) dialog.setAttribute("aria-label", "Search");
  }

  function setupTable() {
    var table = document.querySelector("[data-ct-table]");
    var form = document.querySelector("[data-ct-filters]");
    if (!table || table.dataset.ctReady) return;
    table.dataset.ctReady = "1";
    table.classList.add("ct-sortable");
    var body = table.tBodies[0];
    var original = Array.prototype.slice.call(body.rows);
    var count = form ? form.querySelector("[data-ct-count]") : null;
    var controls = form ? Array.prototype.slice.call(form.querySelectorAll("[data-filter]")) : [];
    var current = null; // {column, ascending}

    // A cell's sort key: null (no figure, no date) goes last whichever the direction.
    function key(row, column) {
      var cell = row.cells[column.index];
      var raw = cell.hasAttribute("data-value") ? cell.getAttribute("data-value") : cell.textContent.trim();
      if (raw === "") return null;
      if (column.kind === "number") {
        // Figures sort within their unit: units in a fixed order, values within each.
        return { group: parseFloat(cell.getAttribute("data-group") || "0"), value: parseFloat(raw) };
      }
      return { group: 0, value: raw.toLowerCase() };
    }

    function compare(a, b, column, ascending) {
      var x = key(a, column), y = key(b, column);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      if (x.group !== y.group) return x.group - y.group;
      var order = typeof x.value === "string" ? x.value.localeCompare(y.value, "en") : x.value - y.value;
      return ascending ? order : -order;
    }

    var columns = [];
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var kind = th.getAttribute("data-sort");
      if (!kind) return;
      var button = th.querySelector("button.ct-sort"); // in the page from the start: nothing moves
      if (!button) return;
      var column = { th: th, index: index, kind: kind, key: th.getAttribute("data-key") };
      columns.push(column);
      // A button: Enter and Space press it, as any button.
      button.addEventListener("click", function () {
        var ascending = !(current && current.column === column && current.ascending);
        sortBy(column, ascending);
        writeAddress();
      });
    });

    function sortBy(column, ascending) {
      columns.forEach(function (other) { other.th.removeAttribute("aria-sort"); });
      column.th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var order = original.slice();
      order.sort(function (a, b) {
        return compare(a, b, column, ascending) || original.indexOf(a) - original.indexOf(b);
      });
      order.forEach(function (row) { body.appendChild(row); });
      current = { column: column, ascending: ascending };
    }

    function apply() {
      var shown = 0;
      original.forEach(function (row) {
        var visible = controls.every(function (control) {
          var name = control.getAttribute("data-filter");
          var value = control.value.trim().toLowerCase();
          if (!value) return true;
          if (name === "text") return row.cells[0].textContent.toLowerCase().indexOf(value) !== -1;
          return (row.getAttribute("data-" + name) || "").split(" ").indexOf(value) !== -1;
        });
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      if (count) count.textContent = COUNT.format(shown) + " of " + COUNT.format(original.length) + " claims";
    }

    // The view into the address (replacing it: no new history entry per key typed).
    function writeAddress() {
      var params = new URLSearchParams(window.location.search);
      controls.forEach(function (control) {
        var name = control.getAttribute("data-filter");
        var value = control.value.trim();
        if (value) params.set(name, value);
        else params.delete(name);
      });
      if (current) {
        params.set("sort", current.column.key);
        params.set("order", current.ascending ? "ascending" : "descending");
      }
      var query = params.toString();
      var address = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
      window.history.replaceState(window.history.state, "", address);
    }

    // ... and back from it.
    var params = new URLSearchParams(window.location.search);
    controls.forEach(function (control) {
      var wanted = params.get(control.getAttribute("data-filter"));
      if (wanted) control.value = wanted;
    });
    var sorted = columns.filter(function (column) { return column.key === params.get("sort"); })[0];
    if (sorted) sortBy(sorted, params.get("order") !== "descending");

    if (!form) return;
    controls.forEach(function (control) {
      control.addEventListener("input", function () { apply(); writeAddress(); });
      control.addEventListener("change", function () { apply(); writeAddress(); });
    });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    apply();
  }

  // A table wider than the page scrolls inside Material's wrapper: the wrapper takes the keyboard
  // focus then, so that it can be scrolled without a mouse (WCAG 2.1.1), and says what it holds.
  function focusableScrollers() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table, scrolls sideways");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  function setup() {
    nameSearchDialog();
    setupTable();
    focusableScrollers();
  }

  window.addEventListener("resize", focusableScrollers);

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setup);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
