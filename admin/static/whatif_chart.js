// Rule preview: before/after bars of the liability and of the coupons' value
// (Chart.js served locally; no inline script under the Content-Security-Policy).
// The page writes the figures as JSON in #whatif-chart-data: the amounts for
// the bars' heights and the same amounts already written in the store's
// currency (the panel's money format) for the tooltips and the axis.
(function () {
  'use strict';
  var source = document.getElementById('whatif-chart-data');
  var canvas = document.getElementById('chart-whatif');
  if (!source || !canvas || !window.Chart) { return; }
  var data = JSON.parse(source.textContent);
  function amounts(side) { return side.map(function (text) { return parseFloat(text); }); }
  new Chart(canvas, {
    type: 'bar',
    data: { labels: data.labels, datasets: [
      { label: data.before_label, data: amounts(data.before), shown: data.before_shown, backgroundColor: '#adb5bd' },
      { label: data.after_label, data: amounts(data.after), shown: data.after_shown, backgroundColor: '#007bff' }
    ] },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { tooltip: { callbacks: { label: function (item) {
        return item.dataset.label + ': ' + item.dataset.shown[item.dataIndex];
      } } } },
      scales: { y: { beginAtZero: true, title: { display: true, text: data.currency } } } }
  });
  document.body.setAttribute('data-charts-ready', '1');
})();
