// Live preview of a Markdown box in the admin, as the public page will show it. The server
// renders and sanitises (the same code that renders on save), so the preview cannot differ
// from the page; this script only posts the unsaved text and shows the answer. Without it the
// admin works as before: the preview pages are one click away after saving.
(function () {
  "use strict";

  function csrfToken(textarea) {
    var form = textarea.form;
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setUp(textarea) {
    var panel = document.createElement("section");
    panel.className = "markdown-preview";
    // The page's Content-Security-Policy forbids style attributes in markup; styles set
    // through the DOM are allowed.
    panel.style.border = "1px solid var(--hairline-color, #ccc)";
    panel.style.padding = "0 12px";
    panel.style.marginTop = "8px";
    panel.style.maxWidth = "48em";
    var label = document.createElement("h3");
    label.className = "markdown-preview__label";
    label.textContent = textarea.dataset.previewLabel || "Preview";
    var warnings = document.createElement("ul");
    warnings.className = "messagelist markdown-preview__removed";
    warnings.hidden = true;
    var body = document.createElement("div");
    body.className = "markdown-preview__body";
    body.setAttribute("aria-live", "polite");
    panel.appendChild(label);
    panel.appendChild(warnings);
    panel.appendChild(body);
    textarea.insertAdjacentElement("afterend", panel);

    var timer = null;
    var latest = 0;

    function show(result) {
      // The HTML comes from the server's sanitiser (portal/markdown.py), as on the public page.
      body.innerHTML = result.html;
      warnings.textContent = "";
      warnings.hidden = !result.warning;
      if (result.warning) {
        var item = document.createElement("li");
        item.className = "warning";
        item.textContent = result.warning;
        warnings.appendChild(item);
      }
    }

    function update() {
      var request = ++latest;
      var data = new FormData();
      data.append("text", textarea.value);
      fetch(textarea.dataset.markdownPreview, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea) },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (result) {
          if (request === latest) show(result); // An older answer never replaces a newer one.
        })
        .catch(function () {
          if (request !== latest) return;
          body.textContent = textarea.dataset.previewFailed || "";
        });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(update, 300);
    });
    update();
  }

  function start() {
    document.querySelectorAll("textarea[data-markdown-preview]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
