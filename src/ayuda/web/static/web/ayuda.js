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

// Switching the language keeps the page's draft (issue 8). The footer's language form comes
// back to the page as it is now (its address with whatever htmx pushed since, and the values of
// the fields named in a draft form's data-keep-draft, such as the chosen category, which decide
// what the server renders), and the text typed into each <form id=... data-keep-draft> rides in
// this tab's sessionStorage across that one page load: restored into the same fields, then
// forgotten. Files are never kept (a browser cannot put them back).
const DRAFT_KEY = "ayuda:draft";
const NOT_KEPT = new Set(["file", "hidden", "password", "submit", "button", "reset", "image"]);

function draftFields(form) {
  const fields = [];
  for (const control of form.elements) {
    if (!control.name || control.disabled || NOT_KEPT.has(control.type)) continue;
    if (control.type === "checkbox" || control.type === "radio") {
      fields.push([control.name, control.value, control.checked]);
    } else if (control instanceof HTMLSelectElement && control.multiple) {
      fields.push([control.name, Array.from(control.selectedOptions, (option) => option.value)]);
    } else if ("value" in control) {
      fields.push([control.name, control.value]);
    }
  }
  return fields;
}

document.addEventListener("submit", (event) => {
  const form = event.target;
  const menu = document.getElementById("lang-switch");
  if (!(form instanceof HTMLFormElement) || !menu || menu.form !== form) return;
  const here = new URL(window.location.href);
  const drafts = {};
  for (const draft of document.querySelectorAll("form[id][data-keep-draft]")) {
    drafts[draft.id] = draftFields(draft);
    for (const name of draft.dataset.keepDraft.split(/\s+/).filter(Boolean)) {
      const control = draft.elements.namedItem(name);
      if (control && "value" in control && control.value) here.searchParams.set(name, control.value);
    }
  }
  if (Object.keys(drafts).length) {
    try {
      sessionStorage.setItem(DRAFT_KEY, JSON.stringify({ path: here.pathname, drafts }));
    } catch {
      // No storage (private mode, full): the language still switches.
    }
  }
  const next = form.elements.namedItem("next");
  if (next) next.value = here.pathname + here.search;
});

// A link marked <a data-keep-draft-link> (the portal's suggested articles, R7) leaves the page
// for a while: the drafts ride in sessionStorage under their own key until the tab comes back to
// the same page (the article's "Didn't find enough help?" link), and are restored there once.
// A form marked data-draft-forget (the article's "This solved my problem") forgets them.
const DRAFT_RETURN_KEY = "ayuda:draft-return";

document.addEventListener("click", (event) => {
  const link = event.target instanceof Element && event.target.closest("a[data-keep-draft-link]");
  if (!link) return;
  const drafts = {};
  for (const draft of document.querySelectorAll("form[id][data-keep-draft]")) {
    drafts[draft.id] = draftFields(draft);
  }
  try {
    sessionStorage.setItem(
      DRAFT_RETURN_KEY,
      JSON.stringify({ path: window.location.pathname, drafts }),
    );
  } catch {
    // No storage: the article still opens.
  }
});

document.addEventListener("submit", (event) => {
  if (event.target instanceof HTMLFormElement && event.target.matches("[data-draft-forget]")) {
    try {
      sessionStorage.removeItem(DRAFT_RETURN_KEY);
    } catch {
      // Nothing kept.
    }
  }
});

function draftReturning() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(DRAFT_RETURN_KEY) || "null");
    if (saved && saved.path === window.location.pathname) {
      sessionStorage.removeItem(DRAFT_RETURN_KEY);
      return saved;
    }
  } catch {
    // Unreadable: nothing to restore.
  }
  return null;
}

function draftRestore() {
  let saved = null;
  try {
    saved = JSON.parse(sessionStorage.getItem(DRAFT_KEY) || "null");
    sessionStorage.removeItem(DRAFT_KEY);
  } catch {
    return;
  }
  if (!saved || saved.path !== window.location.pathname) saved = draftReturning();
  if (!saved) return;
  for (const [id, fields] of Object.entries(saved.drafts || {})) {
    const form = document.getElementById(id);
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-keep-draft")) continue;
    for (const [name, value, checked] of fields) {
      for (const control of form.querySelectorAll(`[name="${CSS.escape(name)}"]`)) {
        if (NOT_KEPT.has(control.type)) continue;
        if (control.type === "checkbox" || control.type === "radio") {
          if (control.value === value) control.checked = Boolean(checked);
        } else if (Array.isArray(value) && control instanceof HTMLSelectElement) {
          for (const option of control.options) option.selected = value.includes(option.value);
        } else if (typeof value === "string") {
          control.value = value;
        }
      }
    }
  }
}

draftRestore();

// <details open data-close-narrow>: open on wide screens (its summary is hidden there), closed
// at first on a phone or tablet, where it would fill the screen (the queue's filters).
const NARROW = window.matchMedia("(max-width: 860px)");
document.addEventListener("DOMContentLoaded", () => {
  if (!NARROW.matches) return;
  for (const details of document.querySelectorAll("details[data-close-narrow]")) {
    details.open = false;
  }
});

// <button data-fill-into="#id_reply_body" data-fill-text="...">: puts the text into that field
// (after what is typed there already) and moves there: a tree's solution "Send as reply".
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-fill-into]") : null;
  if (!button) return;
  const field = document.querySelector(button.dataset.fillInto);
  if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement)) return;
  const text = button.dataset.fillText || "";
  field.value = field.value.trim() ? `${field.value.trimEnd()}\n\n${text}` : text;
  field.closest("details")?.setAttribute("open", "");
  field.focus();
  field.scrollIntoView({ block: "center" });
});

// The reply's "Insert article" (R20): <button data-insert-article data-insert-value="...">
// puts its value (the article's portal link, or its text) into the reply at the cursor.
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element && event.target.closest("[data-insert-article]");
  if (!button) return;
  const reply = document.querySelector(".compose-reply textarea[name=body]");
  if (!(reply instanceof HTMLTextAreaElement)) return;
  const value = button.dataset.insertValue || "";
  const start = reply.selectionStart ?? reply.value.length;
  const end = reply.selectionEnd ?? reply.value.length;
  const before = reply.value.slice(0, start);
  const glue = before && !before.endsWith("\n") ? "\n" : "";
  reply.value = `${before}${glue}${value}\n${reply.value.slice(end)}`;
  const caret = before.length + glue.length + value.length + 1;
  reply.focus();
  reply.setSelectionRange(caret, caret);
});
