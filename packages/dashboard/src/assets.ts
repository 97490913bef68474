// Served by the package itself (no CDN): a small stylesheet and a tiny script.

export const CSS = `
:root{--bg:#f6f7f9;--fg:#1d2430;--muted:#667085;--line:#e4e7ec;--card:#fff;--accent:#2f6fed;--red:#c0362c;--amber:#b7791f;--green:#1f8a4c}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:var(--bg);color:var(--fg)}
header{display:flex;align-items:center;gap:16px;padding:10px 24px;background:#111827;color:#e5e7eb}
header a{color:#e5e7eb;text-decoration:none}.brand{font-weight:700;letter-spacing:.3px}.crumb{color:#9ca3af}.crumb a{color:#9ca3af}
header nav{margin-left:auto;display:flex;gap:18px}header nav a:hover{color:#fff}
main{padding:20px 24px;max-width:1600px}.scroll{overflow-x:auto;border-radius:8px}h1{font-size:20px;margin:0 0 14px}h1 small{color:var(--muted);font-weight:400;font-size:14px;margin-left:8px}
table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden}
th,td{padding:6px 9px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
th{background:#f9fafb;font-weight:600;color:#344054;font-size:12px;text-transform:uppercase;letter-spacing:.4px;white-space:nowrap}
table.sortable th{cursor:pointer;user-select:none}tr:hover td{background:#fafbfc}tr:last-child td{border-bottom:0}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}td:has(.pill){white-space:nowrap}.mono{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:12.5px}
.warn{color:var(--red);font-weight:600}a{color:var(--accent)}
.pill{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;background:#eef2f6;color:#475467}
.pill.active,.pill.c-closed{background:#e7f6ec;color:var(--green)}.pill.disabled{background:#f2f4f7;color:#667085}
.pill.c-open{background:#fdecea;color:var(--red)}.pill.c-half-open,.pill.resting,.pill.benched{background:#fdf3e1;color:var(--amber)}
.tag{display:inline-block;margin:0 4px 2px 0;padding:0 6px;border:1px solid var(--line);border-radius:4px;font-size:12px;color:#475467;background:#fcfcfd}
.err{color:var(--red);max-width:200px;font-size:12.5px}.labels{max-width:180px}.tag{word-break:break-all}td.mono{white-space:nowrap}.until{color:var(--muted);font-size:11.5px;margin-top:2px}.actions{white-space:nowrap}.actions form{display:inline}
button{font:inherit;font-size:12px;padding:2px 8px;margin-left:3px;border:1px solid #d0d5dd;border-radius:6px;background:#fff;cursor:pointer}
button:hover{background:#f2f4f7}button.danger{color:var(--red);border-color:#f1b5ae}
.notice{padding:8px 12px;background:#eef4ff;border:1px solid #c7d7fe;border-radius:6px}.empty{color:var(--muted)}
.links{display:flex;gap:16px;align-items:center}input,select{font:inherit;padding:4px 8px;border:1px solid #d0d5dd;border-radius:6px}
.filters{display:flex;gap:8px;margin-bottom:12px}.login{max-width:340px;margin:60px auto;background:#fff;padding:24px;border:1px solid var(--line);border-radius:8px;display:grid;gap:12px}
.login input{width:100%}.hint{color:var(--muted);font-size:12px;margin:0}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(300px,1fr));gap:12px;margin:0 0 14px}
.chart{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:10px 12px}
.chart figcaption{font-weight:600;font-size:13px;margin-bottom:4px}.chart figcaption small{color:var(--muted);font-weight:400;margin-left:6px}
.chart svg{width:100%;height:96px;display:block}.chart .axis{display:flex;justify-content:space-between;color:var(--muted);font-size:11px}
.legend{display:flex;flex-wrap:wrap;gap:10px;font-size:11.5px;color:#475467;margin-top:4px}.legend i{display:inline-block;width:10px;height:3px;margin-right:4px;vertical-align:middle}
.spark{display:block}
`;

export const JS = `
document.addEventListener('submit', function (e) {
  var q = e.target.getAttribute('data-confirm');
  if (q && !window.confirm(q)) e.preventDefault();
});
var filter = document.getElementById('filter');
if (filter) filter.addEventListener('input', function () {
  var q = filter.value.toLowerCase();
  document.querySelectorAll('tbody tr').forEach(function (tr) {
    tr.style.display = tr.textContent.toLowerCase().indexOf(q) >= 0 ? '' : 'none';
  });
});
// Live numbers on the overview: short polling of a small JSON endpoint.
var pools = document.getElementById('pools');
if (pools) setInterval(function () {
  fetch('/api/pools', { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.json() : []; }).then(function (list) {
    list.forEach(function (p) {
      var tr = pools.querySelector('tr[data-pool="' + CSS.escape(p.pool) + '"]');
      if (!tr) return;
      var values = Object.assign({}, p.stats, p.states);
      tr.querySelectorAll('td[data-k]').forEach(function (td) {
        var v = values[td.getAttribute('data-k')];
        if (v !== undefined) td.textContent = String(v);
      });
    });
  }).catch(function () {});
}, 5000);
// Live pool page: re-read the page itself every 5 s and swap each row's cells by proxy id (so
// the reader's sorting and filtering stay) and the charts; no second renderer to keep in step.
if (document.querySelector('tr[data-proxy]')) setInterval(function () {
  fetch(location.pathname, { credentials: 'same-origin' }).then(function (r) { return r.ok ? r.text() : ''; }).then(function (text) {
    if (!text) return;
    var doc = new DOMParser().parseFromString(text, 'text/html');
    doc.querySelectorAll('tr[data-proxy]').forEach(function (fresh) {
      var tr = document.querySelector('tr[data-proxy="' + CSS.escape(fresh.getAttribute('data-proxy')) + '"]');
      if (!tr) return;
      tr.innerHTML = fresh.innerHTML;
      tr.setAttribute('data-state', fresh.getAttribute('data-state'));
    });
    var charts = document.getElementById('pool-charts'), freshCharts = doc.getElementById('pool-charts');
    if (charts && freshCharts) charts.replaceWith(freshCharts);
  }).catch(function () {});
}, 5000);
document.querySelectorAll('table.sortable th').forEach(function (th, i) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var dir = th.dataset.dir === 'asc' ? -1 : 1;
    th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    var key = function (tr) { var t = tr.cells[i].textContent.trim(); var n = parseFloat(t); return isNaN(n) ? t : n; };
    Array.from(body.rows).sort(function (a, b) { var x = key(a), y = key(b); return (x > y ? 1 : x < y ? -1 : 0) * dir; })
      .forEach(function (tr) { body.appendChild(tr); });
  });
});
`;
