// Import progress on the first-sync page: poll progress.json every 2 s while `sync backfill` runs.
(function () {
  var box = document.querySelector('[data-testid="progress"]');
  if (!box || !box.getAttribute('data-running')) { return; }
  function show(p) {
    var set = function (name, value) { var el = box.querySelector('[data-field="' + name + '"]'); if (el) { el.textContent = value; } };
    set('done', p.done === null ? '?' : p.done);
    set('total', p.total === null ? '?' : p.total);
    set('rate', p.rate === null ? '–' : p.rate);
    set('eta', p.eta === null ? '–' : p.eta + ' s');
    set('elapsed', p.elapsed);
    var bar = box.querySelector('[data-bar]');
    if (bar) { bar.style.width = (p.percent || 0) + '%'; bar.textContent = (p.percent || 0) + '%'; }
  }
  function poll() {
    fetch(box.getAttribute('data-poll'), { credentials: 'same-origin' }).then(function (r) { return r.json(); })
      .then(function (data) {
        if (!data.progress) { return; }
        show(data.progress);
        if (data.progress.finished) { window.location.reload(); } else { setTimeout(poll, 2000); }
      }).catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 2000);
})();
