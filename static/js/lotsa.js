// Lotsa's own scripts. No inline scripts anywhere: the Content-Security-Policy forbids them.
"use strict";

document.addEventListener("htmx:responseError", function (event) {
  // A partial failed to load: tell the user instead of leaving a stale list.
  var target = event.detail.target;
  if (target) {
    target.setAttribute("aria-busy", "false");
  }
});

document.addEventListener("htmx:beforeSwap", function (event) {
  // Too many searches (429), or a refusal the server explains (a search text too long, 400):
  // show the server's explanation where the results would go.
  var xhr = event.detail.xhr;
  if (xhr.status === 429 || (xhr.status === 400 && xhr.getResponseHeader("X-Lotsa-Explained") === "1")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

document.addEventListener("DOMContentLoaded", function () {
  // A page that only passes the browser on (signing out at the city's sign-in service too):
  // follow its link at once; without scripts the person clicks it.
  var link = document.querySelector("a[data-lotsa-follow]");
  if (link) {
    window.location.replace(link.href);
  }
});
