// NPS page: the monthly trend (Chart.js served from /admin/assets/vendor, no CDN).
(function () {
  var data = JSON.parse(document.getElementById('nps-chart-data').textContent);
  var trend = data.trend || [];
  new Chart(document.getElementById('chart-nps-trend'), {
    type: 'line',
    data: { labels: trend.map(function (t) { return t.month; }), datasets: [{
      label: 'NPS', data: trend.map(function (t) { return t.nps; }), borderColor: '#6f42c1',
      backgroundColor: '#6f42c1', spanGaps: true, tension: 0.2 }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { afterLabel: function (ctx) {
        return trend[ctx.dataIndex].answers + ' answers'; } } } },
      scales: { y: { min: -100, max: 100 } } }
  });
  document.body.setAttribute('data-charts-ready', '1');
})();
