// The first-sync plan's charts (admin/templates/loyalty/first_sync.html): the money
// each history mode would send at once (coupons by kind, stacked) beside the points
// still owed afterwards, and members per tier. Chart.js served locally, no inline script.
(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var money = new Intl.NumberFormat('en', { style: 'currency', currency: data.currency });
  var common = { responsive: true, maintainAspectRatio: false, animation: false };
  var kindColours = ['#28a745', '#ffc107', '#6f42c1', '#17a2b8', '#fd7e14', '#20c997', '#6c757d'];
  var tierColours = ['#cd7f32', '#adb5bd', '#d4af37', '#6f42c1', '#17a2b8', '#343a40'];
  var numbers = function (list) { return list.map(Number); };

  var moneySets = data.coupons.map(function (kind, i) {
    return { label: kind.label, data: numbers(kind.money), backgroundColor: kindColours[i % kindColours.length],
             stack: 'coupons' };
  });
  moneySets.push({ label: 'Points owed afterwards', data: numbers(data.liability), backgroundColor: '#dc3545',
                   stack: 'liability' });
  new Chart(document.getElementById('chart-plan-money'), {
    type: 'bar',
    data: { labels: data.modes, datasets: moneySets },
    options: Object.assign({
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
                ticks: { callback: function (value) { return money.format(value); } } } },
      plugins: { tooltip: { callbacks: { label: function (item) {
        return item.dataset.label + ': ' + money.format(item.parsed.y); } } } }
    }, common)
  });

  new Chart(document.getElementById('chart-plan-tiers'), {
    type: 'bar',
    data: { labels: data.modes, datasets: data.tiers.map(function (tier, i) {
      return { label: tier.label, data: tier.members, backgroundColor: tierColours[i % tierColours.length] };
    }) },
    options: Object.assign({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }, common)
  });
  document.body.setAttribute('data-charts-ready', '1');
})();
