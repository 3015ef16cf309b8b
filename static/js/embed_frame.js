/* Inside an embed's frame (a page rendered for a host page that /embed.js put it on,
   pages/embeds.py). It talks to that host page only, the origin the server rendered
   into <meta name="scheduler-embed-origin"> (an origin the configuration allows; the
   browser refused the frame to any other):
   - the events the server marked in the page ([data-embed-events]) are posted once;
   - the page's height is posted whenever it changes, so the frame has no scrollbar;
   - Escape asks the host to close its popup;
   - htmx pushes no address into the history (it is the host page's history too);
   - links and GET forms that stay on our site keep the embed in their address. */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="scheduler-embed-origin"]');
  if (!meta || window.parent === window) {
    return;
  }
  var host = meta.getAttribute("content");
  // A frame's history is the host page's too: its Back button must not walk the steps
  // inside the frame (and an address pushed here would lose the embed on reload).
  if (window.htmx) {
    window.htmx.config.historyEnabled = false;
  }

  var post = function (type, data) {
    window.parent.postMessage(
      { source: "scheduler", version: 1, type: type, data: data || {} },
      host
    );
  };

  var reported = typeof WeakSet === "function" ? new WeakSet() : null;
  var report = function () {
    var posted = {};
    document.querySelectorAll("[data-embed-events]").forEach(function (element) {
      if (!reported || reported.has(element)) {
        return;
      }
      reported.add(element);
      var events = [];
      try {
        events = JSON.parse(element.getAttribute("data-embed-events")) || [];
      } catch (error) {
        events = [];
      }
      events.forEach(function (event) {
        var key = JSON.stringify(event);
        if (!posted[key]) {
          posted[key] = true;
          post(event.type, event.data);
        }
      });
    });
  };

  var lastHeight = 0;
  var measure = function () {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height > 0 && height !== lastHeight) {
      lastHeight = height;
      post("height_changed", { height: height });
    }
  };

  var keep = function (url) {
    if (url.origin !== window.location.origin || url.searchParams.has("embed")) {
      return false;
    }
    url.searchParams.set("embed", host);
    return true;
  };

  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest ? event.target.closest("a[href]") : null;
      if (!link || link.target || link.hasAttribute("download")) {
        return;
      }
      var url = new URL(link.href, window.location.href);
      if (url.hash && url.pathname === window.location.pathname) {
        return; // a jump within this page
      }
      if (keep(url)) {
        link.href = url.toString();
      }
    },
    true
  );

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if ((form.getAttribute("method") || "get").toLowerCase() !== "get") {
        return;
      }
      var action = new URL(form.action || window.location.href, window.location.href);
      if (action.origin === window.location.origin && !form.querySelector('input[name="embed"]')) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "embed";
        input.value = host;
        form.appendChild(input);
      }
    },
    true
  );

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !event.defaultPrevented) {
      post("close_requested", {});
    }
  });

  var settle = function () {
    report();
    measure();
  };
  if (typeof ResizeObserver === "function") {
    new ResizeObserver(measure).observe(document.documentElement);
  }
  document.addEventListener("htmx:afterSettle", settle);
  window.addEventListener("load", measure);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", settle);
  } else {
    settle();
  }
})();
