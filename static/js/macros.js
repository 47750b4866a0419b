/* Macros in the composer: search and pick one, see what it will do (its text in the composer,
   its header changes listed in the composer and marked in the header), undo, or Send. Nothing is
   saved before Send: the pick is a hidden "macro" field the send view applies in the same
   transaction. Kept apart from workspace.js on purpose. Vanilla JS, no build step. */
(function () {
  "use strict";
  // Words come from the JavaScript catalog in the agent's language (support/js_catalog.py,
  // loaded before this file); without it they stay English.
  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (s, p, n) { return n === 1 ? s : p; };
  var interpolate = window.interpolate || function (f, o) {
    return f.replace(/%\((\w+)\)s/g, function (m, k) { return o[k]; });
  };

  // The list of macros the agent may apply, fetched once when first needed (not with the page).
  var listing = null;
  function macroList(url) {
    if (!listing) {
      listing = fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error("status " + r.status); return r.json(); })
        .then(function (data) { return data.macros; })
        .catch(function () { listing = null; return []; });
    }
    return listing;
  }

  /* --- the bulk bar: its macro select is filled on first use ------------------------------ */
  function setupBulk() {
    var select = document.querySelector("select[data-macro-options]");
    if (!select) return;
    function fill() {
      select.removeEventListener("focus", fill);
      select.removeEventListener("mouseenter", fill);
      macroList(select.dataset.macroOptions).then(function (macros) {
        macros.forEach(function (m) {
          var option = document.createElement("option");
          option.value = m.id;
          option.textContent = m.title + (m.source === "shared" ? "" : " (" + m.source + ")");
          select.appendChild(option);
        });
      });
    }
    select.addEventListener("focus", fill);
    select.addEventListener("mouseenter", fill);
  }

  function setup() {
    setupBulk();
    var form = document.getElementById("composer");
    if (!form || !form.dataset.macroList) return;
    var macros = [];
    var search = form.querySelector(".macro-search");
    var list = form.querySelector(".macro-suggest");
    var field = form.querySelector("input[name=macro]");
    var panel = form.querySelector(".macro-pending");
    var body = form.querySelector("#composer-body");
    var noteWrap = panel.querySelector("[data-macro-note-wrap]");
    var note = panel.querySelector("textarea[name=macro_note]");
    var previewUrl = form.dataset.macroPreview;  // ends in /0/: the macro's id goes there
    var matches = [], active = 0, before = null, pending = null;


    function kind() {
      var checked = form.querySelector("input[name=kind]:checked");
      return checked ? checked.value : "reply";
    }
    function setKind(value) {
      var radio = form.querySelector('input[name=kind][value="' + value + '"]');
      if (radio && !radio.checked) {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }

    /* --- the list ---------------------------------------------------------------------- */
    function close() { list.hidden = true; search.setAttribute("aria-expanded", "false"); }
    function render() {
      list.innerHTML = "";
      matches.forEach(function (m, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = "macro-option-" + m.id;
        li.dataset.index = i;
        if (i === active) { li.className = "is-active"; li.setAttribute("aria-selected", "true"); }
        li.appendChild(document.createTextNode(m.title + " "));
        var source = document.createElement("span");
        source.className = "muted";
        source.textContent = "(" + m.source + ")";
        li.appendChild(source);
        list.appendChild(li);
      });
      if (!matches.length && search.value.trim()) {
        var none = document.createElement("li");
        none.className = "muted";
        none.setAttribute("aria-disabled", "true");
        none.textContent = macros.length ? gettext("No macro matches.")
          : gettext("No macros yet (Macros in the side navigation).");
        list.appendChild(none);
      }
      list.hidden = list.children.length === 0;
      search.setAttribute("aria-expanded", list.hidden ? "false" : "true");
      if (matches[active]) search.setAttribute("aria-activedescendant", "macro-option-" + matches[active].id);
    }
    function filter() {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      matches = macros.filter(function (m) {
        var title = m.title.toLowerCase();
        return words.every(function (w) { return title.indexOf(w) !== -1; });
      }).slice(0, 10);
      active = 0;
      render();
    }
    function loadThenFilter() {
      macroList(form.dataset.macroList).then(function (list) {
        macros = list;
        if (document.activeElement === search) filter();
      });
    }
    search.addEventListener("input", loadThenFilter);
    search.addEventListener("focus", loadThenFilter);
    // Closed a moment after focus leaves (a click on an option lands first), unless it came back.
    search.addEventListener("blur", function () {
      setTimeout(function () { if (document.activeElement !== search) close(); }, 150);
    });
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") e.preventDefault();  // never submit the composer from here
      if (list.hidden || !matches.length) return;
      if (e.key === "ArrowDown") { active = (active + 1) % matches.length; render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = (active - 1 + matches.length) % matches.length; render(); e.preventDefault(); }
      else if (e.key === "Enter") { pick(matches[active]); }
      else if (e.key === "Escape") { close(); e.preventDefault(); e.stopPropagation(); }
    });
    list.addEventListener("mousedown", function (e) {
      var li = e.target.closest("li");
      if (li && li.dataset.index) { e.preventDefault(); pick(matches[parseInt(li.dataset.index, 10)]); }
    });

    /* --- applying (in the page only) --------------------------------------------------- */
    function pick(m) {
      if (!m) return;
      close();
      search.value = "";
      load(m.id, false);
    }
    function load(id, keepText, retried) {
      // A request that hangs is given up after a few seconds and tried once more, so the agent
      // is never left waiting on a preview that will not come.
      var controller = new AbortController();
      var timer = setTimeout(function () { controller.abort(); }, 6000);
      fetch(previewUrl.replace(/0\/$/, id + "/"), { headers: { Accept: "application/json" }, credentials: "same-origin", signal: controller.signal })
        .then(function (r) {
          clearTimeout(timer);
          if (r.status >= 500) throw new Error("server");
          return r.json().then(function (data) { return { ok: r.ok, data: data }; });
        })
        .then(function (res) {
          if (!res.ok) { alertText(res.data.error || gettext("That macro is not available.")); return; }
          show(res.data, keepText);
        })
        .catch(function () {
          clearTimeout(timer);
          // One quiet retry for a dropped or hung connection or a passing server error.
          if (!retried) { setTimeout(function () { load(id, keepText, true); }, 400); return; }
          alertText(gettext("The macro could not be loaded; please try again."));
        });
    }
    function alertText(text) {
      var box = document.getElementById("ws-alert");
      if (box) { box.textContent = text; box.hidden = false; }
    }
    function show(preview, keepText) {
      if (pending && !keepText) undo();
      pending = preview;
      field.value = preview.id;
      if (!keepText) {
        before = { body: body.value, kind: kind() };
        var text = preview.reply || preview.note;
        if (text) {
          setKind(preview.reply ? "reply" : "note");
          body.value = body.value.trim() ? body.value.replace(/\s+$/, "") + "\n\n" + text : text;
          body.dispatchEvent(new Event("input", { bubbles: true }));
        }
        note.value = preview.reply && preview.note ? preview.note : "";
      }
      noteWrap.hidden = !note.value;
      panel.querySelector("[data-macro-title]").textContent = preview.title;
      var changes = panel.querySelector("[data-macro-changes]");
      changes.innerHTML = "";
      preview.changes.forEach(function (c) {
        var li = document.createElement("li");
        var label = document.createElement("strong");
        label.textContent = c.label + ": ";
        li.appendChild(label);
        li.appendChild(document.createTextNode(c.old ? c.old + " → " + c.new : c.new));
        changes.appendChild(li);
      });
      if (!preview.changes.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = gettext("No header changes on this ticket.");
        changes.appendChild(none);
      }
      panel.hidden = false;
      markHeader();
      if (!keepText) body.focus();
    }
    function undo() {
      if (before) {
        body.value = before.body;
        setKind(before.kind);
        body.dispatchEvent(new Event("input", { bubbles: true }));
      }
      before = null;
      pending = null;
      field.value = "";
      note.value = "";
      panel.hidden = true;
      markHeader();
    }
    panel.querySelector("[data-macro-undo]").addEventListener("click", function () {
      undo();
      search.focus();
    });

    /* --- the header shows what will change (marks only; its selects are not touched) --- */
    function markHeader() {
      var header = document.getElementById("ticket-header");
      if (!header) return;
      header.querySelectorAll(".macro-mark").forEach(function (el) { el.remove(); });
      header.querySelectorAll(".has-macro-change").forEach(function (el) { el.classList.remove("has-macro-change"); });
      if (!pending) return;
      pending.changes.forEach(function (c) {
        var anchor = c.field === "tags" ? header.querySelector(".chips .chips-label")
          : header.querySelector("#f-" + c.field);
        if (!anchor) return;
        var mark = document.createElement("span");
        mark.className = "macro-mark";
        mark.textContent = "→ " + c.new;
        mark.title = gettext("Set by the macro when you send");
        if (c.field !== "tags") anchor.classList.add("has-macro-change");
        anchor.insertAdjacentElement("afterend", mark);
      });
    }
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (pending && e.target && e.target.id === "ticket-header") markHeader();
    });
    document.body.addEventListener("htmx:afterSettle", function () { if (pending) markHeader(); });

    // The page came back with an error: the macro is still pending, the text as the agent left it.
    if (field.value) load(field.value, true);
  }

  document.addEventListener("DOMContentLoaded", setup);
})();
