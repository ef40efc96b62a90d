// A campaign's progress: while coupons are still on their way to the store,
// re-read the counts every 5 s (for 15 minutes at most) and move the bars.
(function () {
  var box = document.querySelector('[data-testid=progress]');
  if (!box || box.getAttribute('data-status') === 'done') { return; }
  var url = box.getAttribute('data-url');
  var rounds = 0;
  function set(name, value) {
    var el = box.querySelector('[data-progress=' + name + ']');
    if (el) { el.textContent = value; }
  }
  function bar(name, done, total) {
    var el = box.querySelector('[data-bar=' + name + ']');
    if (!el) { return; }
    el.style.width = (total ? Math.round(100 * done / total) : 100) + '%';
    el.textContent = done + ' / ' + total;
  }
  function poll() {
    rounds += 1;
    fetch(url, { credentials: 'same-origin', headers: { 'Accept': 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) { return; }
        ['total', 'issued', 'pushed', 'failed', 'used', 'status'].forEach(function (k) { set(k, p[k]); });
        bar('issued', p.issued, p.total);
        bar('pushed', p.pushed, p.total);
        box.setAttribute('data-status', p.status);
        if (p.status === 'done') { window.location.reload(); return; }
        if (rounds < 180) { window.setTimeout(poll, 5000); }
      })
      .catch(function () { if (rounds < 180) { window.setTimeout(poll, 5000); } });
  }
  window.setTimeout(poll, 5000);
})();
