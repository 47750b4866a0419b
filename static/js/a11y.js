// Skip links that land on the first item of a list ("Skip to list" on a queue page): following
// one focuses the first element inside its target matching data-skip-focus (the first ticket
// link), so a keyboard user is one Tab and Enter away from the tickets. Without a match (an empty
// queue) or without this script, the link still moves focus to its target, as any skip link does.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.skip-link[data-skip-focus]");
    if (!link) return;
    var target = document.getElementById(link.hash.slice(1));
    var first = target && target.querySelector(link.dataset.skipFocus);
    if (!first) return;
    event.preventDefault();
    first.focus();
    first.scrollIntoView({ block: "nearest" });
  });
})();
