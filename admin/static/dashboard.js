// Dashboard charts (Chart.js served from /admin/assets/vendor, no CDN).
(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  var common = { responsive: true, maintainAspectRatio: false, animation: false };
  new Chart(document.getElementById('chart-points'), {
    type: 'bar',
    data: {
      labels: data.months,
      datasets: [
        { label: 'Earned', data: data.earned, backgroundColor: '#28a745' },
        { label: 'Redeemed', data: data.redeemed, backgroundColor: '#007bff' },
        { label: 'Expired', data: data.expired, backgroundColor: '#adb5bd' }
      ]
    },
    options: Object.assign({ scales: { y: { beginAtZero: true } } }, common)
  });
  new Chart(document.getElementById('chart-tiers'), {
    type: 'doughnut',
    data: { labels: data.tiers, datasets: [{ data: data.tier_counts,
      backgroundColor: ['#007bff', '#28a745', '#ffc107', '#6f42c1', '#17a2b8', '#6c757d', '#fd7e14'] }] },
    options: Object.assign({ plugins: { legend: { position: 'right' } } }, common)
  });
  new Chart(document.getElementById('chart-vip'), {
    type: 'bar',
    data: { labels: ['VIP', 'Not VIP'], datasets: [{ label: 'Members', data: data.vip,
      backgroundColor: ['#6f42c1', '#dee2e6'] }] },
    options: Object.assign({ indexAxis: 'y', plugins: { legend: { display: false } } }, common)
  });
  if (data.headline && document.getElementById('chart-headline')) {
    new Chart(document.getElementById('chart-headline'), {
      type: 'bar',
      data: { labels: data.headline.labels, datasets: [{ label: 'Average order value (' + data.headline.currency + ')',
        data: data.headline.aov, backgroundColor: ['#6f42c1', '#adb5bd'] }] },
      options: Object.assign({ indexAxis: 'y', plugins: { legend: { display: true, position: 'right' } },
        scales: { x: { beginAtZero: true } } }, common)
    });
  }
  document.body.setAttribute('data-charts-ready', '1');
})();
