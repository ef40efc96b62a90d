// "Copy" buttons: <button data-copy="#input-id"> copies that field's value.
document.addEventListener('click', function (event) {
  var button = event.target.closest('[data-copy]');
  if (!button) { return; }
  var field = document.querySelector(button.getAttribute('data-copy'));
  if (!field) { return; }
  field.select();
  var done = function () { button.textContent = 'Copied'; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand('copy'); done(); });
  } else { document.execCommand('copy'); done(); }
});
