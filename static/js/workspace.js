/* Agent workspace: keyboard shortcuts, bulk selection, composer drafts, attachments, canned
   responses, typing signal. Vanilla JS, no build step. */
(function () {
  "use strict";

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

  function focusComposer(kind) {
    var form = document.getElementById("composer");
    if (!form) return false;
    var radio = form.querySelector('input[name=kind][value="' + kind + '"]');
    if (radio) { radio.checked = true; radio.dispatchEvent(new Event("change", { bubbles: true })); }
    var body = form.querySelector("textarea");
    body.focus();
    form.scrollIntoView({ block: "nearest" });
    return true;
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (isTyping(e.target)) {
      if (e.key === "Escape") e.target.blur();
      return;
    }
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
  function updateSelected() {
    var count = document.querySelectorAll('input[name=ids][form=bulk-form]:checked').length;
    var label = document.querySelector("[data-selected-count]");
    if (label) label.textContent = count + " selected";
    var bar = document.getElementById("bulk-form");
    if (bar) bar.classList.toggle("has-selection", count > 0);
  }
  document.addEventListener("change", function (e) {
    if (e.target.matches("[data-select-all]")) {
      document.querySelectorAll('input[name=ids][form=bulk-form]').forEach(function (box) {
        box.checked = e.target.checked;
      });
    }
    if (e.target.matches("[data-select-all], input[name=ids]")) updateSelected();
  });

  /* --- composer -------------------------------------------------------------------------- */
  function setupComposer() {
    var form = document.getElementById("composer");
    if (!form) return;
    var body = form.querySelector("textarea");
    var key = form.dataset.draftKey;
    var state = form.querySelector(".draft-state");
    var params = new URLSearchParams(window.location.search);

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
        if (state) state.textContent = "Draft restored";
      }
    }

    function kind() {
      var checked = form.querySelector("input[name=kind]:checked");
      return checked ? checked.value : "reply";
    }
    function syncKind() {
      form.classList.toggle("is-note", kind() === "note");
      body.placeholder = kind() === "note" ? "Write an internal note (agents only)…"
        : "Write a reply… type ; and a few letters for a canned response";
    }
    syncKind();

    var saveTimer = null, typingTimer = null, lastTypingSignal = 0;
    function saveDraft() {
      if (body.value.trim()) {
        localStorage.setItem(key, JSON.stringify({ body: body.value, kind: kind(), at: Date.now() }));
        if (state) state.textContent = "Draft saved";
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
      if (e.target.name === "kind") { syncKind(); saveDraft(); }
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
          return f.name + " is " + (f.size / 1048576).toFixed(1) + " MB";
        }).join("; ") + ". Attachments can be at most " + form.dataset.maxMb + " MB each.";
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
    form.addEventListener("submit", function (e) {
      if (!checkFiles()) { e.preventDefault(); return; }
      saveDraft();  // kept until the server confirms (?sent=…)
    });

    setupCanned(form, body);
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
        source.textContent = c.source === "mine" ? "(yours)" : "(" + c.source + ")";
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

  /* --- htmx errors: show the server's sentence instead of failing silently ---------------- */
  document.addEventListener("htmx:responseError", function (e) {
    var box = document.getElementById("ws-alert");
    if (!box) return;
    var holder = document.createElement("div");
    holder.innerHTML = e.detail.xhr.responseText || "";
    var text = (holder.querySelector(".form-error") || holder).textContent.trim();
    box.textContent = text.slice(0, 300) || "Something went wrong; please reload the page.";
    box.hidden = false;
  });

  document.addEventListener("DOMContentLoaded", function () {
    setupComposer();
    updateSelected();
  });
})();
