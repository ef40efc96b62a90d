// Settings > Member emails: the preview frame follows the form as it is typed
// (the server renders the sample email from the values; nothing is saved).
(function () {
  'use strict';
  var form = document.getElementById('email-settings-form');
  var frame = document.getElementById('email-preview');
  if (!form || !frame) { return; }
  var timer = null;
  function refresh() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) {
      if (name !== 'csrf_token') { params.append(name, value); }
    });
    params.set('draft', '1');
    frame.src = form.getAttribute('data-preview-url') + '?' + params.toString();
  }
  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 400);
  }
  form.addEventListener('input', later);
  form.addEventListener('change', later);
}());
