// A running batch's page: asks the status endpoint every few seconds and moves the progress bar;
// when the batch is finished, reloads the page to show the results. Without scripts the page
// reloads itself (a <noscript> refresh) and offers a reload link.
(function () {
  "use strict";
  var section = document.querySelector("[data-batch-status]");
  if (!section || !window.fetch) return;
  var url = section.getAttribute("data-batch-status");
  var bar = section.querySelector("progress");
  var label = section.querySelector("[data-batch-progress-text]");
  var state = section.querySelector("[data-batch-status-text]");
  var delay = 1000;

  function show(data) {
    bar.max = Math.max(1, data.total);
    bar.value = data.done;
    bar.textContent = data.percent + "%";
    label.textContent = data.progress_text;
    state.textContent = data.status_text;
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // The server may be restarting: try again, less often.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
