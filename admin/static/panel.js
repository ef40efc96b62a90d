// The panel's small behaviours, wired by data attributes instead of inline
// handlers: the Content-Security-Policy runs no script written into a page
// (loyalty_sync/security_headers.py). Loaded on every admin page by
// loyalty/master.html.
//
//   <form data-confirm="Question?">      asks first; "Cancel" sends nothing
//   <button data-confirm="Question?">    the same for one button of a form
//   <form data-submit-once>              its button is disabled once the form is sent (no double send)
//   <select data-autosubmit>             sends its form when another option is picked
//   <a data-fa-action="name">            runs a Flask-Admin list's bulk action on the ticked rows
(function () {
  'use strict';

  document.addEventListener('click', function (event) {
    var button = event.target.closest('button[data-confirm], input[data-confirm]');
    if (button && !window.confirm(button.getAttribute('data-confirm'))) { event.preventDefault(); }
  });

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (form.hasAttribute('data-confirm') && !window.confirm(form.getAttribute('data-confirm'))) {
      event.preventDefault();
      return;
    }
    if (form.hasAttribute('data-submit-once')) {
      var button = form.querySelector('button');
      if (button) { button.disabled = true; }
    }
  });

  document.addEventListener('change', function (event) {
    var field = event.target;
    if (field.hasAttribute('data-autosubmit') && field.form) { field.form.submit(); }
  });

  // Flask-Admin's tabs, menu toggles and pager placeholders are links to
  // "javascript:void(0)": they did nothing when followed, and the policy now
  // refuses to follow them (with a violation report), so they are not followed.
  document.addEventListener('click', function (event) {
    if (event.target.closest('a[href^="javascript:"]')) { event.preventDefault(); }
  }, true);

  // "With selected" menu of a Flask-Admin list (admin/templates/admin/actions.html):
  // run the bulk action; actions.js asks its confirmation.
  document.addEventListener('click', function (event) {
    var item = event.target.closest('[data-fa-action]');
    if (!item) { return; }
    event.preventDefault();
    window.modelActions.execute(item.getAttribute('data-fa-action'));
  });
})();
