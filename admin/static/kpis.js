// KPI page charts (Chart.js served from /admin/assets/vendor, no CDN).
(function () {
  var data = JSON.parse(document.getElementById('kpi-chart-data').textContent);
  var common = { responsive: true, maintainAspectRatio: false, animation: false };
  function label(format, value) {
    if (value === null || value === undefined) { return '–'; }
    if (format === 'rate') { return (value * 100).toFixed(1) + '%'; }
    if (format === 'money') { return value.toFixed(2) + ' ' + data.currency; }
    return value.toFixed(2);
  }
  if (data.monthly) {
    new Chart(document.getElementById('chart-monthly'), {
      type: 'bar',
      data: { labels: data.monthly.months, datasets: [
        { label: 'First orders', data: data.monthly.first, backgroundColor: '#17a2b8' },
        { label: 'Repeat orders', data: data.monthly.repeat, backgroundColor: '#28a745' }] },
      options: Object.assign({ scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true,
        ticks: { precision: 0 } } } }, common)
    });
  }
  data.side_by_side.forEach(function (item, i) {
    new Chart(document.getElementById('chart-side-' + i), {
      type: 'bar',
      data: { labels: ['Members', 'Non-members'], datasets: [{ label: item.title,
        data: [item.members, item.non_members], backgroundColor: ['#6f42c1', '#adb5bd'] }] },
      options: Object.assign({ indexAxis: 'y', plugins: { legend: { display: false },
        tooltip: { callbacks: { label: function (ctx) { return label(item.format, ctx.raw); } } } },
        scales: { x: { beginAtZero: true } } }, common)
    });
  });
  new Chart(document.getElementById('chart-kpi-points'), {
    type: 'bar',
    data: { labels: ['Earned', 'Redeemed', 'Expired', 'Given back'], datasets: [{ label: 'Points',
      data: data.points, backgroundColor: ['#28a745', '#007bff', '#adb5bd', '#ffc107'] }] },
    options: Object.assign({ plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }, common)
  });
  document.body.setAttribute('data-charts-ready', '1');
})();
