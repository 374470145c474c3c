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
