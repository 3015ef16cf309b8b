/* Scheduler embeds: the booking page and the Schedule Editor on your own site.
   Served as /embed.js; no build step, no dependency. README, "Embedding" has the
   snippets and the event schema.

     <script src="https://scheduler.example.com/embed.js" defer></script>
     <div data-scheduler-inline="intro-call"></div>
     <button type="button" data-scheduler-popup="intro-call">Book a call</button>

   Prefill from attributes (data-scheduler-name, -email, -timezone, -language, and JSON
   in -answers and -metadata) or from Scheduler.prefill({...}) / the options of
   Scheduler.inline(element, slug, options) and Scheduler.popup(slug, options).
   Scheduler.on(type, listener) hears the events; "*" hears them all.
   Scheduler.show({auth: {pageEditToken}, style: {tintColor, backgroundColor}}) opens
   the Schedule Editor (also as nylas.scheduler.show). Messages are taken only from our
   own frames and our origin, and sent only to our origin. */
(function () {
  "use strict";

  if (window.Scheduler && window.Scheduler.version) {
    return; // the script is on the page twice
  }

  var script =
    document.currentScript || document.querySelector('script[src*="/embed.js"]');
  var base = new URL(script ? script.src : "/", window.location.href).origin;
  var frames = [];
  var listeners = {};
  var defaults = {};
  var modal = null;

  var style = function (element, rules) {
    Object.keys(rules).forEach(function (name) {
      element.style.setProperty(name, rules[name]);
    });
    return element;
  };

  var json = function (text) {
    if (!text) {
      return undefined;
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      return undefined;
    }
  };

  var merged = function (options) {
    var result = {};
    [defaults, options || {}].forEach(function (source) {
      Object.keys(source).forEach(function (key) {
        if (source[key] !== undefined && source[key] !== null && source[key] !== "") {
          result[key] = source[key];
        }
      });
    });
    return result;
  };

  var fromAttributes = function (element) {
    var data = element.dataset;
    return {
      name: data.schedulerName,
      email: data.schedulerEmail,
      timezone: data.schedulerTimezone,
      language: data.schedulerLanguage,
      answers: json(data.schedulerAnswers),
      metadata: json(data.schedulerMetadata),
      title: data.schedulerTitle,
    };
  };

  var bookingUrl = function (slug, options) {
    var params = new URLSearchParams();
    params.set("embed", window.location.origin);
    var prefill = {};
    ["name", "email", "answers", "metadata"].forEach(function (key) {
      if (options[key]) {
        prefill[key] = options[key];
      }
    });
    if (Object.keys(prefill).length) {
      params.set("prefill", JSON.stringify(prefill));
    }
    if (options.timezone) {
      params.set("tz", options.timezone);
    }
    if (options.language) {
      params.set("lang", options.language);
    }
    return base + "/book/" + encodeURIComponent(slug) + "/?" + params.toString();
  };

  var emit = function (type, data, frame) {
    var event = { type: type, data: data || {}, frame: frame.element, kind: frame.kind };
    (listeners[type] || []).concat(listeners["*"] || []).forEach(function (listener) {
      try {
        listener(event);
      } catch (error) {
        if (window.console) {
          window.console.error(error);
        }
      }
    });
  };

  var makeFrame = function (src, title, kind) {
    var element = document.createElement("iframe");
    element.src = src;
    element.title = title;
    element.setAttribute("allow", "clipboard-write");
    style(element, {
      display: "block",
      width: "100%",
      height: kind === "inline" ? "640px" : "100%",
      border: "0",
      "min-height": "0",
    });
    var frame = { element: element, kind: kind };
    frames.push(frame);
    return frame;
  };

  var forget = function (frame) {
    frames = frames.filter(function (other) {
      return other !== frame;
    });
  };

  window.addEventListener("message", function (event) {
    if (event.origin !== base) {
      return;
    }
    var frame = null;
    frames.forEach(function (candidate) {
      if (candidate.element.contentWindow === event.source) {
        frame = candidate;
      }
    });
    var message = event.data;
    if (!frame || !message || message.source !== "scheduler" || typeof message.type !== "string") {
      return;
    }
    var data = message.data || {};
    if (message.type === "height_changed" && frame.kind !== "editor") {
      var height = Number(data.height);
      if (height > 0 && height < 100000) {
        frame.element.style.height = height + "px";
      }
    } else if (message.type === "close_requested") {
      if (modal && modal.frame === frame) {
        close();
      }
      return;
    } else if (message.type === "editor_ready") {
      if (frame.auth) {
        frame.element.contentWindow.postMessage(
          { source: "scheduler", version: 1, type: "editor_auth", data: frame.auth },
          base
        );
        frame.auth = null; // sent once: the frame exchanges it and forgets it
      }
      return;
    }
    emit(message.type, data, frame);
  });

  var inline = function (element, slug, options) {
    var settings = merged(Object.assign({}, fromAttributes(element), options || {}));
    var frame = makeFrame(bookingUrl(slug, settings), settings.title || "Booking page", "inline");
    element.textContent = "";
    element.appendChild(frame.element);
    return frame.element;
  };

  var close = function () {
    if (!modal) {
      return;
    }
    var current = modal;
    modal = null;
    document.removeEventListener("keydown", current.onKey, true);
    current.inerted.forEach(function (element) {
      element.inert = false;
    });
    current.overlay.remove();
    forget(current.frame);
    document.documentElement.style.overflow = current.overflow;
    if (current.previous && typeof current.previous.focus === "function") {
      current.previous.focus();
    }
    emit("closed", {}, current.frame);
  };

  var openModal = function (src, label, kind, extra) {
    close();
    var previous = document.activeElement;
    var overlay = style(document.createElement("div"), {
      position: "fixed",
      inset: "0",
      "z-index": "2147483000",
      background: "rgba(17, 24, 39, 0.6)",
      display: "flex",
      "align-items": "center",
      "justify-content": "center",
      padding: "1rem",
    });
    overlay.setAttribute("data-scheduler-modal", kind);
    var dialog = style(document.createElement("div"), {
      position: "relative",
      background: (extra && extra.background) || "#ffffff",
      color: "#111827",
      "border-radius": "12px",
      width: "min(100%, 960px)",
      height: kind === "editor" ? "calc(100vh - 2rem)" : "auto",
      "max-height": "calc(100vh - 2rem)",
      overflow: "auto",
      "box-shadow": "0 10px 40px rgba(0, 0, 0, 0.35)",
      display: "flex",
      "flex-direction": "column",
    });
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", label);
    var bar = style(document.createElement("div"), {
      display: "flex",
      "justify-content": "flex-end",
      padding: "0.25rem",
    });
    var button = style(document.createElement("button"), {
      font: "600 1rem/1 system-ui, sans-serif",
      "min-width": "2.75rem",
      "min-height": "2.75rem",
      border: "2px solid #1f2937",
      "border-radius": "8px",
      background: "#ffffff",
      color: "#111827",
      cursor: "pointer",
    });
    button.type = "button";
    button.textContent = "\u00d7";
    button.setAttribute("aria-label", "Close");
    button.addEventListener("click", close);
    bar.appendChild(button);
    var frame = makeFrame(src, label, kind);
    style(frame.element, { flex: "1 1 auto" });
    if (kind === "editor") {
      frame.auth = extra.auth;
    }
    // Focus stays in the dialog: tabbing out of either end comes back to the other.
    var edge = function (target) {
      var sentinel = document.createElement("span");
      sentinel.tabIndex = 0;
      sentinel.setAttribute("data-scheduler-edge", "");
      sentinel.addEventListener("focus", function () {
        target().focus();
      });
      return sentinel;
    };
    dialog.appendChild(bar);
    dialog.appendChild(frame.element);
    overlay.appendChild(edge(function () { return frame.element; }));
    overlay.appendChild(dialog);
    overlay.appendChild(edge(function () { return button; }));
    overlay.addEventListener("click", function (event) {
      if (event.target === overlay) {
        close();
      }
    });
    var inerted = [];
    Array.prototype.forEach.call(document.body.children, function (element) {
      if (!element.inert && element.tagName !== "SCRIPT") {
        element.inert = true;
        inerted.push(element);
      }
    });
    document.body.appendChild(overlay);
    var onKey = function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    };
    document.addEventListener("keydown", onKey, true);
    modal = {
      overlay: overlay,
      frame: frame,
      previous: previous,
      onKey: onKey,
      inerted: inerted,
      overflow: document.documentElement.style.overflow,
    };
    document.documentElement.style.overflow = "hidden";
    button.focus();
    return frame.element;
  };

  var popup = function (slug, options) {
    var settings = merged(options);
    return openModal(bookingUrl(slug, settings), settings.title || "Booking page", "popup");
  };

  var colour = function (value) {
    return typeof value === "string" && /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$/.test(value)
      ? value
      : "";
  };

  var show = function (options) {
    options = options || {};
    var token = options.auth && (options.auth.pageEditToken || options.auth.edit_token);
    if (!token) {
      throw new Error("Scheduler.show needs auth.pageEditToken");
    }
    var look = options.style || {};
    var auth = {
      pageEditToken: String(token),
      tintColor: colour(look.tintColor),
      backgroundColor: colour(look.backgroundColor),
    };
    return openModal(base + "/editor/embed/", options.title || "Schedule editor", "editor", {
      auth: auth,
      background: auth.backgroundColor,
    });
  };

  var start = function () {
    document.querySelectorAll("[data-scheduler-inline]").forEach(function (element) {
      if (!element.querySelector("iframe")) {
        inline(element, element.getAttribute("data-scheduler-inline"));
      }
    });
  };

  document.addEventListener("click", function (event) {
    var trigger = event.target.closest ? event.target.closest("[data-scheduler-popup]") : null;
    if (!trigger) {
      return;
    }
    event.preventDefault();
    popup(trigger.getAttribute("data-scheduler-popup"), fromAttributes(trigger));
  });

  var api = {
    version: 1,
    origin: base,
    inline: inline,
    popup: popup,
    show: show,
    close: close,
    prefill: function (options) {
      defaults = merged(options);
    },
    on: function (type, listener) {
      (listeners[type] = listeners[type] || []).push(listener);
    },
    off: function (type, listener) {
      listeners[type] = (listeners[type] || []).filter(function (other) {
        return other !== listener;
      });
    },
  };
  window.Scheduler = api;
  window.scheduler = window.scheduler || api;
  // A v2 customer's editor button calls nylas.scheduler.show: only this script changes.
  window.nylas = window.nylas || {};
  window.nylas.scheduler = window.nylas.scheduler || api;

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
