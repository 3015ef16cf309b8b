/* The Schedule Editor's one script. Everything works without it; with it, after htmx
   swaps a section's form back in, focus goes where a keyboard or screen-reader user
   needs it (the first field with an error, else the Save button), a row that was just
   added gets focus, and a request that fails says so instead of doing nothing. */
(function () {
  "use strict";

  var banner = function () {
    return document.getElementById("request-error");
  };

  document.addEventListener("htmx:beforeRequest", function () {
    var element = banner();
    if (element) {
      element.hidden = true;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var marker = document.querySelector("[data-focus-row]");
    if (marker) {
      var row = marker.closest(".row-card");
      marker.remove();
      var first = row && row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) {
        first.focus();
      }
      return;
    }
    var form = event.detail && event.detail.elt;
    if (!form || !form.classList || !form.classList.contains("editor-form")) {
      return;
    }
    var target = form.querySelector('[aria-invalid="true"]')
      || form.querySelector(".notice-error")
      || form.querySelector("button[type=submit]:not(.add-row)");
    if (target) {
      if (target.classList.contains("notice-error")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
  });

  var showError = function () {
    var element = banner();
    if (element) {
      element.hidden = false;
    }
  };
  document.addEventListener("htmx:responseError", showError);
  document.addEventListener("htmx:sendError", showError);
})();
