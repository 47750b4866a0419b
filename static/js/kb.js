// Knowledge base in the agent's composer: "Insert link" / "Insert quote" on an article found
// in the ticket page's Knowledge base panel put it into the reply at the cursor. The link is the
// help center's address, which is how the ticket records which articles were sent.
(function () {
  if (window.kbComposerReady) return;
  window.kbComposerReady = true;

  function insertAtCursor(field, text) {
    var start = field.selectionStart != null ? field.selectionStart : field.value.length;
    var end = field.selectionEnd != null ? field.selectionEnd : field.value.length;
    var before = field.value.slice(0, start);
    var after = field.value.slice(end);
    var lead = before && !/\n$/.test(before) ? "\n" : "";
    var insert = lead + text + "\n";
    field.value = before + insert + after;
    var caret = (before + insert).length;
    field.focus();
    field.setSelectionRange(caret, caret);
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert]");
    if (!button) return;
    var item = button.closest("[data-kb-article]");
    var field = document.getElementById("composer-body");
    if (!item || !field) return;
    var title = item.dataset.title;
    var url = item.dataset.url;
    var text;
    if (button.dataset.kbInsert === "quote") {
      var summary = item.dataset.summary || title;
      text = "> " + summary + "\n" + title + ": " + url;
    } else {
      text = title + ": " + url;
    }
    insertAtCursor(field, text);
  });
})();
