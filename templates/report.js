// Filters the program table as the reader types. Without JavaScript the search box stays hidden
// and the table is a plain table of every program.
(function () {
  "use strict";
  var box = document.getElementById("program-search");
  var input = document.getElementById("program-query");
  var count = document.getElementById("program-count");
  var table = document.getElementById("program-table");
  if (!box || !input || !count || !table || !table.tBodies.length) {
    return;
  }
  var fold = function (s) {
    return (s.normalize ? s.normalize("NFKC") : s).toLowerCase();
  };
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  var texts = rows.map(function (r) {
    return fold(r.textContent + " " + (r.getAttribute("data-keys") || ""));
  });
  var apply = function () {
    var words = fold(input.value).split(/\s+/).filter(function (w) {
      return w.length > 0;
    });
    var shown = 0;
    rows.forEach(function (r, i) {
      var match = words.every(function (w) {
        return texts[i].indexOf(w) !== -1;
      });
      r.hidden = !match;
      if (match) {
        shown += 1;
      }
    });
    count.textContent = shown + " / " + rows.length + " 件";
  };
  input.addEventListener("input", apply);
  box.hidden = false;
  apply();
})();

// Printing shows every folded part (the 検算 and the envelope tables) whatever the reader closed.
(function () {
  "use strict";
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) {
      d.open = true;
    });
  });
})();
