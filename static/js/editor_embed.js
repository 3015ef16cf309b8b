/* The Schedule Editor's frame before it has a page (templates/pages/editor_embed.html).
   It says it is ready to its parent (the host page's /embed.js), takes the edit token
   from that parent only, and posts it in a form's body with the parent's origin as the
   browser reports it: the token is never in an address. */
(function () {
  "use strict";

  var form = document.getElementById("editor-open");
  if (!form || window.parent === window) {
    return;
  }
  var sent = false;
  window.addEventListener("message", function (event) {
    var message = event.data;
    if (sent || event.source !== window.parent || !message || message.source !== "scheduler") {
      return;
    }
    if (message.type !== "editor_auth" || !message.data || !message.data.pageEditToken) {
      return;
    }
    sent = true;
    form.elements.edit_token.value = String(message.data.pageEditToken);
    form.elements.origin.value = event.origin;
    form.elements.tint.value = message.data.tintColor || "";
    form.elements.background.value = message.data.backgroundColor || "";
    form.submit();
  });
  // Carries nothing: any parent may hear it; only ours answers with a token.
  window.parent.postMessage({ source: "scheduler", version: 1, type: "editor_ready", data: {} }, "*");
})();
