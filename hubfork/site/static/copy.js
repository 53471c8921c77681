// Entry pages: the Copy buttons put their snippet's code on the clipboard.
(function () {
  "use strict";
  function copied(button, ok) {
    button.textContent = ok ? "Copied" : "Select and copy";
    setTimeout(function () { button.textContent = "Copy"; }, 2000);
  }
  function fallback(code, button) {
    var range = document.createRange();
    range.selectNodeContents(code);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
    copied(button, ok);
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.copy[data-copy]"), function (button) {
    button.addEventListener("click", function () {
      var code = document.getElementById(button.dataset.copy);
      if (!code) { return; }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(code.textContent).then(function () { copied(button, true); },
          function () { fallback(code, button); });
      } else {
        fallback(code, button);
      }
    });
  });
  document.documentElement.dataset.ready = "true";
}());
