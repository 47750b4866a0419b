/* Agent workspace: keyboard shortcuts, bulk selection, composer drafts, attachments, canned
   responses, typing signal, selects that save only on a deliberate choice. Vanilla JS, no build
   step. */
(function () {
  "use strict";
  // Words come from the JavaScript catalog in the agent's language (support/js_catalog.py,
  // loaded before this file); without it they stay English.
  var gettext = window.gettext || function (s) { return s; };
  var ngettext = window.ngettext || function (s, p, n) { return n === 1 ? s : p; };
  var interpolate = window.interpolate || function (f, o) {
    return f.replace(/%\((\w+)\)s/g, function (m, k) { return o[k]; });
  };

  function isTyping(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  /* --- queue rows: j/k/Enter/x ----------------------------------------------------------- */
  function rows() {
    return Array.prototype.slice.call(
      document.querySelectorAll("[data-queue] tbody tr[data-href], .search-results li[data-href]"));
  }
  var current = -1;
  function setCurrent(i) {
    var list = rows();
    if (!list.length) return;
    i = Math.max(0, Math.min(list.length - 1, i));
    list.forEach(function (r) { r.classList.remove("is-current"); r.removeAttribute("aria-selected"); });
    list[i].classList.add("is-current");
    list[i].setAttribute("aria-selected", "true");
    list[i].scrollIntoView({ block: "nearest" });
    current = i;
  }

  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) dialog.showModal();
  }

  /* r / n go to the composer. They choose reply or note only while the composer is empty: once
     text is typed (or a draft restored) only the mode control itself changes it, so a stray
     letter can never turn a note into a public reply. */
  function focusComposer(kind) {
    var form = document.getElementById("composer");
    if (!form) return false;
    var body = form.querySelector("textarea");
    var radio = form.querySelector('input[name=kind][value="' + kind + '"]');
    if (radio && !radio.checked) {
      if (composerHasContent(form)) {
        var state = form.querySelector(".draft-state");
        if (state) {
          state.textContent = stillNotice(form);
        }
      } else {
        radio.checked = true;
        radio.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
    body.focus();
    form.scrollIntoView({ block: "nearest" });
    return true;
  }
  function composerHasContent(form) {
    var files = form.querySelector("input[type=file]");
    return !!(form.querySelector("textarea").value.trim() || (files && files.files.length));
  }
  function stillNotice(form) {
    var checked = form.querySelector("input[name=kind]:checked");
    return checked && checked.value === "note"
      ? gettext("Still an internal note: change it with the switch above the text.")
      : gettext("Still a public reply: change it with the switch above the text.");
  }

  /* Shortcuts never fire while focus is in a field, nor for a key a widget already used (Esc
     closing the canned list, Enter picking from it): such a key does nothing else, and in
     particular does not move focus out of the field. Esc with nothing to close leaves the field,
     which is how shortcuts come back. Nothing fires under an open dialog. */
  document.addEventListener("keydown", function (e) {
    if (e.defaultPrevented || e.isComposing) return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTyping(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
    if (document.querySelector("dialog[open]")) return;
    switch (e.key) {
      case "j": setCurrent(current + 1); e.preventDefault(); break;
      case "k": setCurrent(current - 1); e.preventDefault(); break;
      case "Enter": {
        var list = rows();
        if (current >= 0 && list[current]) { window.location.href = list[current].dataset.href; e.preventDefault(); }
        break;
      }
      case "x": {
        var row = rows()[current];
        var box = row && row.querySelector("input[type=checkbox]");
        if (box) { box.checked = !box.checked; box.dispatchEvent(new Event("change", { bubbles: true })); e.preventDefault(); }
        break;
      }
      case "r": if (focusComposer("reply")) e.preventDefault(); break;
      case "n": if (focusComposer("note")) e.preventDefault(); break;
      case "/": {
        var search = document.getElementById("global-search");
        if (search) { search.focus(); search.select(); e.preventDefault(); }
        break;
      }
      case "?": openShortcuts(); e.preventDefault(); break;
    }
  });

  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-shortcuts-open]")) { openShortcuts(); return; }
    var confirmBtn = e.target.closest("[data-confirm]");
    if (confirmBtn && !window.confirm(confirmBtn.dataset.confirm)) { e.preventDefault(); return; }
    // A click on a row's empty space opens it, like Enter.
    var row = e.target.closest("[data-queue] tbody tr[data-href]");
    if (row && !e.target.closest("a, input, button, label")) window.location.href = row.dataset.href;
  });

  /* --- bulk selection -------------------------------------------------------------------- */
  /* The bulk bar shows only while tickets are selected. Appearing and disappearing is said in a
     live region (a screen reader hears "2 tickets selected…"); the bar sits before the list, so
     Shift+Tab from a row's checkbox (or Tab from the top of the page) reaches it. */
  var lastCount = 0;
  function updateSelected() {
    var count = document.querySelectorAll('input[name=ids][form=bulk-form]:checked').length;
    var label = document.querySelector("[data-selected-count]");
    if (label) label.textContent = interpolate(gettext("%(count)s selected"), { count: count }, true);
    var bar = document.getElementById("bulk-form");
    if (bar) {
      bar.classList.toggle("has-selection", count > 0);
      bar.hidden = count === 0;
    }
    var status = document.getElementById("bulk-status");
    if (status && count !== lastCount) {
      status.textContent = count === 0 ? gettext("Selection cleared; bulk actions hidden.") :
        interpolate(ngettext(
          "%(count)s ticket selected. Bulk actions are shown above the list.",
          "%(count)s tickets selected. Bulk actions are shown above the list.", count
        ), { count: count }, true);
    }
    lastCount = count;
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-select-all]")) {
      document.querySelectorAll('input[name=ids][form=bulk-form]').forEach(function (box) {
        box.checked = e.target.checked;
      });
    }
    if (e.target.matches("[data-select-all], input[name=ids]")) updateSelected();
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest("[data-clear-selection]")) return;
    document.querySelectorAll('input[name=ids][form=bulk-form], [data-select-all]').forEach(function (box) {
      box.checked = false;
    });
    updateSelected();
    var first = document.querySelector('input[name=ids][form=bulk-form]');
    if (first) first.focus();
  });
  // Rows swapped in by htmx (a page of results) start unselected.
  document.addEventListener("htmx:afterSettle", function () { updateSelected(); });

  /* --- composer -------------------------------------------------------------------------- */
  function setupComposer() {
    var form = document.getElementById("composer");
    if (!form) return;
    var body = form.querySelector("textarea");
    var key = form.dataset.draftKey;
    var state = form.querySelector(".draft-state");
    var params = new URLSearchParams(window.location.search);
    // Text written as an internal note and then switched to a public reply: the one change that
    // can publish something meant for colleagues, so the send after it asks first.
    var askBeforeReply = false, confirmed = false;

    if (params.has("sent")) {
      localStorage.removeItem(key);
      params.delete("sent");
      var query = params.toString();
      history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
    } else if (!body.value) {
      var saved = null;
      try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (err) { saved = null; }
      if (saved && saved.body) {
        body.value = saved.body;
        var radio = form.querySelector('input[name=kind][value="' + saved.kind + '"]');
        if (radio) radio.checked = true;
        askBeforeReply = !!saved.askBeforeReply;
        if (state) state.textContent = gettext("Draft restored");
      }
    }

    function kind() {
      var checked = form.querySelector("input[name=kind]:checked");
      return checked ? checked.value : "reply";
    }
    function syncKind() {
      form.classList.toggle("is-note", kind() === "note");
      // The page gives both texts in the agent's language (templates/agent/_composer.html).
      body.placeholder = kind() === "note"
        ? (body.dataset.placeholderNote || gettext("Write an internal note (agents only)…"))
        : (body.dataset.placeholderReply || gettext("Write a reply… type ; and a few letters for a canned response"));
    }
    syncKind();

    var saveTimer = null, typingTimer = null, lastTypingSignal = 0;
    function saveDraft() {
      if (body.value.trim()) {
        localStorage.setItem(key, JSON.stringify({
          body: body.value, kind: kind(), askBeforeReply: askBeforeReply, at: Date.now(),
        }));
        if (state) state.textContent = gettext("Draft saved");
      } else {
        localStorage.removeItem(key);
        if (state) state.textContent = "";
      }
    }
    function signalTyping() {
      window.sbTyping = true;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { window.sbTyping = false; }, 5000);
      var now = Date.now();
      if (now - lastTypingSignal > 3000) {
        lastTypingSignal = now;
        document.body.dispatchEvent(new Event("typing"));
      }
    }
    form.addEventListener("input", function (e) {
      if (e.target === body) {
        clearTimeout(saveTimer);
        saveTimer = setTimeout(saveDraft, 400);
        signalTyping();
      }
    });
    form.addEventListener("change", function (e) {
      if (e.target.name === "kind") {
        askBeforeReply = kind() === "reply" && composerHasContent(form);
        syncKind();
        saveDraft();
      }
    });
    window.addEventListener("beforeunload", saveDraft);

    // Attachments: size check before upload, drag and drop onto the composer.
    var files = form.querySelector("input[type=file]");
    var fileError = form.querySelector(".file-error");
    var maxBytes = parseInt(form.dataset.maxBytes, 10);
    function checkFiles() {
      var tooBig = Array.prototype.filter.call(files.files, function (f) { return f.size > maxBytes; });
      if (tooBig.length) {
        fileError.textContent = tooBig.map(function (f) {
          return interpolate(gettext("%(name)s is %(size)s MB"),
            { name: f.name, size: (f.size / 1048576).toFixed(1) }, true);
        }).join("; ") + ". " + interpolate(gettext("Attachments can be at most %(max)s MB each."),
          { max: form.dataset.maxMb }, true);
        fileError.hidden = false;
        return false;
      }
      fileError.hidden = true;
      return true;
    }
    files.addEventListener("change", checkFiles);
    form.addEventListener("dragover", function (e) { e.preventDefault(); form.classList.add("is-dragging"); });
    form.addEventListener("dragleave", function () { form.classList.remove("is-dragging"); });
    form.addEventListener("drop", function (e) {
      e.preventDefault();
      form.classList.remove("is-dragging");
      if (!e.dataTransfer || !e.dataTransfer.files.length) return;
      var dt = new DataTransfer();
      Array.prototype.forEach.call(files.files, function (f) { dt.items.add(f); });
      Array.prototype.forEach.call(e.dataTransfer.files, function (f) { dt.items.add(f); });
      files.files = dt.files;
      checkFiles();
    });
    // Ctrl+Enter (Cmd+Enter on a Mac) in the text sends, exactly as the Send button does:
    // requestSubmit goes through the checks below (file sizes, "this was a note") and the server's
    // (new activity since the page was loaded). Not while the canned list has used the key.
    body.addEventListener("keydown", function (e) {
      if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey) || e.defaultPrevented || e.isComposing) return;
      var suggest = form.querySelector(".canned-suggest");
      if (suggest && !suggest.hidden) return;  // Enter picks the canned response first
      e.preventDefault();
      form.requestSubmit(form.querySelector("button[type=submit][data-send-default]"));
    });
    form.addEventListener("submit", function (e) {
      if (!checkFiles()) { e.preventDefault(); return; }
      if (askBeforeReply && kind() === "reply" && !confirmed) {
        e.preventDefault();
        var submitter = e.submitter;
        confirmPublicReply(function () {
          confirmed = true;
          form.requestSubmit(submitter);
        }, function () { body.focus(); });
        return;
      }
      saveDraft();  // kept until the server confirms (?sent=…)
    });

    setupCanned(form, body);
  }

  /* The question before a note becomes a public reply: a modal dialog whose default button is
     "Keep editing", so Enter or Esc out of habit sends nothing. */
  function confirmPublicReply(onSend, onCancel) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-send";
    dialog.setAttribute("aria-labelledby", "confirm-send-title");
    dialog.setAttribute("aria-describedby", "confirm-send-text");
    dialog.innerHTML = '<h2 id="confirm-send-title"></h2><p id="confirm-send-text"></p>' +
      '<div class="confirm-actions"><button type="button" class="button" data-keep></button>' +
      '<button type="button" class="button primary" data-send></button></div>';
    dialog.querySelector("h2").textContent = gettext("Send as a public reply?");
    dialog.querySelector("p").textContent = gettext(
      "This text was written as an internal note. Sent as a public reply, the customer will see it."
    );
    dialog.querySelector("[data-keep]").textContent = gettext("Keep editing");
    dialog.querySelector("[data-send]").textContent = gettext("Send public reply");
    var send = false;
    dialog.addEventListener("click", function (e) {
      if (e.target.closest("[data-send]")) { send = true; dialog.close(); }
      else if (e.target.closest("[data-keep]")) dialog.close();
    });
    dialog.addEventListener("close", function () {
      dialog.remove();
      if (send) onSend(); else onCancel();
    });
    document.body.appendChild(dialog);
    dialog.showModal();
    dialog.querySelector("[data-keep]").focus();
  }

  /* --- canned responses: ";" + letters --------------------------------------------------- */
  function setupCanned(form, body) {
    var dataEl = document.getElementById("canned-data");
    var list = form.querySelector(".canned-suggest");
    if (!dataEl || !list) return;
    var canned = JSON.parse(dataEl.textContent);
    var matches = [], active = 0, start = -1;

    function close() { list.hidden = true; matches = []; start = -1; }
    function render() {
      list.innerHTML = "";
      matches.forEach(function (c, i) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.index = i;
        if (i === active) { li.className = "is-active"; li.setAttribute("aria-selected", "true"); }
        var code = document.createElement("code");
        code.textContent = ";" + c.shortcut;
        li.appendChild(code);
        li.appendChild(document.createTextNode(" " + c.title + " "));
        var source = document.createElement("span");
        source.className = "muted";
        source.textContent = "(" + (c.source === "mine" ? gettext("yours") : c.source) + ")";
        li.appendChild(source);
        list.appendChild(li);
      });
      list.hidden = matches.length === 0;
    }
    function insert(c) {
      var before = body.value.slice(0, start), after = body.value.slice(body.selectionStart);
      body.value = before + c.body + after;
      var caret = before.length + c.body.length;
      body.setSelectionRange(caret, caret);
      body.dispatchEvent(new Event("input", { bubbles: true }));
      close();
      body.focus();
    }
    body.addEventListener("input", function () {
      var upto = body.value.slice(0, body.selectionStart);
      var m = /(^|\s);([\w-]{1,40})$/.exec(upto);
      if (!m) { close(); return; }
      var word = m[2].toLowerCase();
      start = upto.length - word.length - 1;
      matches = canned.filter(function (c) {
        return c.shortcut.indexOf(word) === 0 || c.title.toLowerCase().indexOf(word) !== -1;
      }).slice(0, 8);
      active = 0;
      render();
    });
    body.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { active = (active + 1) % matches.length; render(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { active = (active - 1 + matches.length) % matches.length; render(); e.preventDefault(); }
      else if (e.key === "Enter" || e.key === "Tab") { insert(matches[active]); e.preventDefault(); }
      else if (e.key === "Escape") { close(); e.preventDefault(); }
    });
    list.addEventListener("mousedown", function (e) {
      var li = e.target.closest("li");
      if (li) { e.preventDefault(); insert(matches[parseInt(li.dataset.index, 10)]); }
    });
  }

  /* --- selects that save on change: only a deliberate choice saves ------------------------ */
  /* Chromium changes a closed select on every arrow key, Home/End, PageUp/PageDown and
     type-ahead letter and fires "change" each time, so htmx saved every step (New → Open →
     Pending). A change made while such a key is down is held back from htmx: Enter saves it, Esc
     or leaving the field shows the saved value again. A mouse pick, a choice made in the opened
     list, and assistive technology setting the value are saved at once, as before. Every select
     whose element with hx-trigger listens for "change" is covered, unless that element is marked
     data-change-preview (a live preview, not a save). */
  var CHANGE_TRIGGER = /(^|[\s,])change([\s,]|$)/;
  var keyDownOn = null, keyDownAt = 0, releasing = false, refocus = null;

  function savesOnChange(el) {
    if (!el || el.tagName !== "SELECT" || el.multiple) return false;
    var owner = el.closest("[hx-trigger]");
    return !!owner && CHANGE_TRIGGER.test(owner.getAttribute("hx-trigger")) &&
      !owner.closest("[data-change-preview]");
  }
  function savedValue(select) {
    var saved = Array.prototype.find.call(select.options, function (o) { return o.defaultSelected; });
    return (saved || select.options[0] || { value: "" }).value;
  }
  function hint(select) {
    return select.parentNode && select.parentNode.querySelector(".held-hint");
  }
  function hold(select) {
    select.classList.add("is-held");
    var label = select.labels && select.labels[0] ? select.labels[0].textContent.trim()
      : select.getAttribute("aria-label") || gettext("This field");
    var text = hint(select);
    if (!text) {
      text = document.createElement("span");
      text.className = "held-hint";
      text.setAttribute("role", "status");
      select.insertAdjacentElement("afterend", text);
    }
    text.textContent = interpolate(gettext("%(field)s not saved yet: Enter saves, Esc undoes"),
      { field: label }, true);
  }
  function unhold(select) {
    select.classList.remove("is-held");
    var text = hint(select);
    if (text) text.remove();
  }
  function restore(select) {
    select.value = savedValue(select);
    unhold(select);
  }
  function release(select) {
    unhold(select);
    refocus = select.id || null;
    releasing = true;
    try { select.dispatchEvent(new Event("change", { bubbles: true })); } finally { releasing = false; }
  }

  document.addEventListener("keydown", function (e) {
    var select = e.target;
    if (!savesOnChange(select)) return;
    var held = select.classList.contains("is-held");
    if (e.key === "Enter") {
      if (held) { e.preventDefault(); release(select); }
      return;
    }
    if (e.key === "Escape") {
      if (held) { e.preventDefault(); restore(select); }
      return;
    }
    keyDownOn = select;
    keyDownAt = Date.now();
  }, true);
  document.addEventListener("keyup", function () { keyDownOn = null; }, true);
  document.addEventListener("pointerdown", function () { keyDownOn = null; }, true);
  document.addEventListener("focusout", function (e) {
    if (e.target === keyDownOn) keyDownOn = null;
    if (savesOnChange(e.target) && e.target.classList.contains("is-held")) restore(e.target);
  }, true);
  document.addEventListener("change", function (e) {
    var select = e.target;
    if (releasing || !savesOnChange(select)) return;
    // A key whose keyup went to an opened list instead of the page is forgotten after a moment.
    if (keyDownOn === select && Date.now() - keyDownAt < 1000) {
      e.stopImmediatePropagation();
      if (select.value === savedValue(select)) unhold(select); else hold(select);
    } else {
      unhold(select);
      refocus = select.id || null;
    }
  }, true);
  // The saved header comes back as new markup: keep the keyboard on the field it was on.
  document.addEventListener("htmx:afterSettle", function (e) {
    var again = refocus && document.getElementById(refocus);
    if (!again || !e.target.contains(again)) return;
    refocus = null;
    if (document.activeElement === document.body) again.focus();
  });
  document.addEventListener("htmx:responseError", function () { refocus = null; });

  /* A refused value whose answer is its form again (a 400 with the error beside the field and
     what was typed kept) is swapped in like any answer, where the target asks for it. */
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    if (e.detail.xhr.status === 400 && target && target.hasAttribute("data-swap-refusals")) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });

  /* --- htmx errors: show the server's sentence instead of failing silently ---------------- */
  document.addEventListener("htmx:responseError", function (e) {
    var box = document.getElementById("ws-alert");
    if (!box) return;
    var holder = document.createElement("div");
    holder.innerHTML = e.detail.xhr.responseText || "";
    var text = (holder.querySelector(".form-error") || holder).textContent.trim();
    box.textContent = text.slice(0, 300) || gettext("Something went wrong; please reload the page.");
    box.hidden = false;
  });

  /* --- timeline filter: "Conversation" (messages only) or "Everything" ------------------ */
  /* Remembered per agent in localStorage; a class on the timeline's section hides the changes,
     so it holds across the htmx refreshes of the list inside it. */
  function setupTimelineFilter() {
    var group = document.querySelector("[data-timeline-filter-key]");
    if (!group) return;
    var section = group.closest(".timeline-section");
    var key = group.dataset.timelineFilterKey;
    function apply(mode) {
      section.classList.toggle("shows-conversation", mode === "conversation");
      group.querySelectorAll("[data-timeline-filter]").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.dataset.timelineFilter === mode));
      });
    }
    var saved = null;
    try { saved = localStorage.getItem(key); } catch (err) { saved = null; }
    apply(saved === "conversation" ? "conversation" : "everything");
    group.addEventListener("click", function (e) {
      var button = e.target.closest("[data-timeline-filter]");
      if (!button) return;
      apply(button.dataset.timelineFilter);
      try { localStorage.setItem(key, button.dataset.timelineFilter); } catch (err) { /* private mode */ }
    });
  }

  /* "Send and next ticket" lands on the next ticket (or the queue) with ?done=<id of the ticket
     just answered>: its draft, kept until the server confirmed the send, can go now. */
  function forgetSentDraft() {
    var params = new URLSearchParams(window.location.search);
    var done = params.get("done");
    if (!done) return;
    if (/^\d+$/.test(done)) localStorage.removeItem("draft:ticket:" + done);
    params.delete("done");
    var query = params.toString();
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  document.addEventListener("DOMContentLoaded", function () {
    forgetSentDraft();
    setupComposer();
    setupTimelineFilter();
    updateSelected();
  });
})();

/* --- Hardening: the presence poll says whether I am typing (no hx-vals="js:", which needs eval
   and the Content-Security-Policy refuses it) --- */
document.body.addEventListener("htmx:configRequest", function (e) {
  if (e.detail.elt && e.detail.elt.hasAttribute && e.detail.elt.hasAttribute("data-typing-signal")) {
    e.detail.parameters.typing = window.sbTyping ? "1" : "0";
  }
});
