// "Select all" for the queue's checkboxes; the bulk buttons work without it (plain form posts).
(function () {
  "use strict";

  function init() {
    var all = document.getElementById("select-all");
    if (!all) {
      return;
    }
    var picks = Array.prototype.slice.call(document.querySelectorAll("input.pick"));
    all.addEventListener("change", function () {
      picks.forEach(function (box) { box.checked = all.checked; });
    });
    picks.forEach(function (box) {
      box.addEventListener("change", function () {
        all.checked = picks.every(function (b) { return b.checked; });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
