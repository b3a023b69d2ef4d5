// The test mail page: while it waits for the mail, ask the status every few seconds and show
// the result when the mail has arrived (or the address has expired). Without this script the
// page reloads itself (a <noscript> refresh) and has a reload link.
(function () {
  "use strict";
  var section = document.querySelector("[data-test-mail-status]");
  if (!section || section.dataset.testMailState !== "waiting") {
    return;
  }
  var state = document.getElementById("test-mail-state");
  var delay = 3000;
  function poll() {
    fetch(section.dataset.testMailStatus, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data && data.status !== "waiting") {
          if (state && state.dataset.receivedLabel && data.status === "received") {
            state.textContent = state.dataset.receivedLabel;
          }
          window.location.reload();
          return;
        }
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        window.setTimeout(poll, delay * 2);
      });
  }
  window.setTimeout(poll, delay);
})();
