// Liability forecast: points expiring per month (Chart.js served locally).
(function () {
  var data = JSON.parse(document.getElementById('chart-data').textContent);
  new Chart(document.getElementById('chart-expiry'), {
    type: 'bar',
    data: { labels: data.months, datasets: [
      { label: 'Points expiring', data: data.points, backgroundColor: '#adb5bd', yAxisID: 'y' },
      { label: 'Money (' + data.currency + ')', data: data.money, type: 'line', borderColor: '#dc3545', yAxisID: 'y1' }
    ] },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { beginAtZero: true, position: 'left' }, y1: { beginAtZero: true, position: 'right', grid: { drawOnChartArea: false } } } }
  });
  document.body.setAttribute('data-charts-ready', '1');
})();
