// Segment sizes chart (Chart.js served from /admin/assets/vendor, no CDN).
(function () {
  var data = JSON.parse(document.getElementById('segment-chart-data').textContent);
  new Chart(document.getElementById('chart-segments'), {
    type: 'bar',
    data: { labels: data.labels, datasets: [{ label: 'Members', data: data.sizes,
      backgroundColor: ['#28a745', '#007bff', '#ffc107', '#6c757d', '#17a2b8'] }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
  document.body.setAttribute('data-charts-ready', '1');
})();
