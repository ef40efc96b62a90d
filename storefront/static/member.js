// The member page's "Copy" buttons: <button class="copy" data-copy="<id of the code>">.
// A static file, because the Content-Security-Policy runs no inline script; the
// translated words come from data attributes of #copy-status.
(function () {
  'use strict';
  var status = document.getElementById('copy-status');
  document.querySelectorAll('button.copy').forEach(function (button) {
    button.addEventListener('click', function () {
      var source = document.getElementById(button.dataset.copy);
      var code = source.textContent.trim();
      var done = function () {
        status.textContent = status.dataset.copied.replace('__CODE__', code);
        button.textContent = status.dataset.copiedButton;
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(code).then(done, function () {});
      } else {
        var range = document.createRange();
        range.selectNodeContents(source);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        try { document.execCommand('copy'); done(); } catch (e) { /* nothing copied, nothing said */ }
      }
    });
  });
})();
