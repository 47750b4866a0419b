// The portal's article suggestions (kb): a 429 from the suggestion endpoint carries a sentence
// for the reader ("Too many searches…"); htmx would drop it as an error, so it is swapped in
// like any answer. In a file, not an hx-on attribute: the Content-Security-Policy allows no eval.
(function () {
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 429 && target && target.id === "kb-suggestions") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
