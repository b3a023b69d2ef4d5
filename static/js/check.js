// Progressive enhancement for the check page: copy buttons and a busy state while checking.
// Everything works without this script.
(function () {
  "use strict";
  var form = document.querySelector(".check-form");
  if (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button && button.dataset.busyLabel) {
        button.setAttribute("aria-busy", "true");
        button.classList.add("is-busy");
        button.textContent = button.dataset.busyLabel;
      }
    });
  }
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  } else if (document.getElementById("report-title") && window.location.search) {
    document.getElementById("report-title").focus();
  }
  var status = document.querySelector(".copy-status");
  document.querySelectorAll(".copy-button").forEach(function (button) {
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.dataset.copy);
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        if (status) {
          status.textContent = (status.dataset.copiedLabel || "") + " " + source.textContent.trim();
        }
      });
    });
  });
})();
