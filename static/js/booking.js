/* The hosted pages' one script. Everything works without it; with it:
   - the guest's time zone is the browser's (unless the URL already names one);
   - after an htmx swap, focus moves to what was loaded (marked data-focus), so keyboard
     and screen-reader users land on the times, the form or the error;
   - the chosen day is marked at once;
   - the zone field shows the zone the times are in (a city typed, "Berlin", becomes
     "Europe/Berlin");
   - a request that fails says so instead of doing nothing. */
(function () {
  "use strict";

  // Marks from a full page load are not meant for the first swap.
  document.querySelectorAll("[data-focus]").forEach(function (element) {
    element.removeAttribute("data-focus");
  });

  var params = new URLSearchParams(window.location.search);
  if (!params.get("tz")) {
    var zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      zone = "";
    }
    if (zone) {
      document.querySelectorAll("[data-detect-zone]").forEach(function (input) {
        input.value = zone;
      });
    }
  }

  document.addEventListener("click", function (event) {
    var day = event.target.closest ? event.target.closest("a.day") : null;
    if (!day) {
      return;
    }
    document.querySelectorAll('a.day[aria-current="true"]').forEach(function (link) {
      // Today stays marked as the current date when another day is chosen.
      if (link.classList.contains("today")) {
        link.setAttribute("aria-current", "date");
      } else {
        link.removeAttribute("aria-current");
      }
    });
    day.setAttribute("aria-current", "true");
  });

  var banner = function () {
    return document.getElementById("request-error");
  };

  document.addEventListener("htmx:beforeRequest", function () {
    var element = banner();
    if (element) {
      element.hidden = true;
    }
  });

  document.addEventListener("htmx:afterSettle", function () {
    var picker = document.getElementById("picker");
    var input = document.getElementById("id_tz");
    if (picker && picker.dataset.zone && input && input.value !== picker.dataset.zone) {
      input.value = picker.dataset.zone;
    }
    var target = document.querySelector("[data-focus]");
    if (target) {
      target.removeAttribute("data-focus");
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
