// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Copy buttons for KID and account number (hidden unless this script runs).
  var status = document.querySelector("[data-copied-message]");
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      var text = source ? source.textContent.replace(/[\s.]/g, "") : "";
      navigator.clipboard.writeText(text).then(function () {
        if (status) {
          status.textContent = status.getAttribute("data-copied-message");
        }
      });
    });
  });

  // A second click on a submit button sends nothing (the server is idempotent anyway).
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "true");
      form.querySelectorAll("button[type=submit]").forEach(function (b) {
        b.setAttribute("aria-busy", "true");
      });
    });
  });

  // Move focus to an error summary so screen readers announce it.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
  }
})();
