// Live character counts, as Telegram counts them: a JavaScript string's length is in UTF-16
// units already, so an emoji counts 2 and a family emoji 11, exactly as the bot checks.
(function () {
  "use strict";
  function update(area) {
    var limit = parseInt(area.getAttribute("data-limit"), 10);
    var length = area.value.trim().length;
    var cell = area.closest("td, label, div");
    var count = cell ? cell.querySelector(".count") : null;
    if (!count) {
      return;
    }
    var over = length - limit;
    count.textContent = over > 0 ? length + "/" + limit + " (−" + over + ")" : length + "/" + limit;
    count.classList.toggle("over", over > 0);
    area.classList.toggle("over", over > 0);
  }
  function all() {
    document.querySelectorAll("textarea[data-limit]").forEach(update);
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-limit]")) {
      update(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:afterSettle", all);
})();
