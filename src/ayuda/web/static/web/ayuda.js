// Ayuda's own behaviour in the browser. The Content-Security-Policy refuses inline scripts and
// handlers (onchange="..."), so pages say what they want with data- attributes and this file,
// loaded by web/base.html, does it. See docs/security.md.
"use strict";

// <select data-submit-on-change>: choosing an option submits the select's form (the footer's
// language menu). Listening on the document also covers content htmx swaps in later.
document.addEventListener("change", (event) => {
  const control = event.target;
  if (control instanceof HTMLSelectElement && control.matches("[data-submit-on-change]")) {
    control.form?.requestSubmit();
  }
});

// <details open data-close-narrow>: open on wide screens (its summary is hidden there), closed
// at first on a phone or tablet, where it would fill the screen (the queue's filters).
const NARROW = window.matchMedia("(max-width: 860px)");
document.addEventListener("DOMContentLoaded", () => {
  if (!NARROW.matches) return;
  for (const details of document.querySelectorAll("details[data-close-narrow]")) {
    details.open = false;
  }
});
