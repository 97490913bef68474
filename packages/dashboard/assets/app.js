// Leasehold dashboard: served from /assets (the pages' CSP allows no inline script).

// Every destructive button asks first.
document.addEventListener('submit', (e) => {
  const question = e.target.getAttribute('data-confirm');
  if (question && !window.confirm(question)) e.preventDefault();
});

const filter = document.getElementById('filter');
if (filter)
  filter.addEventListener('input', () => {
    const q = filter.value.toLowerCase();
    for (const tr of document.querySelectorAll('tbody tr'))
      tr.hidden = !tr.textContent.toLowerCase().includes(q);
  });

// Live numbers on the overview: short polling of a small JSON endpoint.
const pools = document.getElementById('pools');
if (pools)
  setInterval(() => {
    fetch('/api/pools', { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.json() : []))
      .then((list) => {
        for (const p of list) {
          const tr = pools.querySelector(`tr[data-pool="${CSS.escape(p.pool)}"]`);
          if (!tr) continue;
          for (const td of tr.querySelectorAll('td[data-k]')) {
            const v = p.counts[td.getAttribute('data-k')];
            if (v !== undefined) td.textContent = String(v);
          }
        }
      })
      .catch(() => {});
  }, 5000);

// Live pool page: re-read the page itself (same filter and cursor) every 5 s and swap each
// row's cells by proxy id (so the reader's sorting and filtering stay) and the charts; no
// second renderer to keep in step.
if (document.querySelector('tr[data-proxy]'))
  setInterval(() => {
    fetch(location.pathname + location.search, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.text() : ''))
      .then((text) => {
        if (!text) return;
        const doc = new DOMParser().parseFromString(text, 'text/html');
        for (const fresh of doc.querySelectorAll('tr[data-proxy]')) {
          const id = CSS.escape(fresh.getAttribute('data-proxy'));
          const tr = document.querySelector(`tr[data-proxy="${id}"]`);
          if (!tr) continue;
          tr.innerHTML = fresh.innerHTML;
          tr.setAttribute('data-state', fresh.getAttribute('data-state'));
        }
        const charts = document.getElementById('pool-charts');
        const freshCharts = doc.getElementById('pool-charts');
        if (charts && freshCharts) charts.replaceWith(freshCharts);
      })
      .catch(() => {});
  }, 5000);

// Sortable columns: numbers as numbers, the rest as text.
for (const [i, th] of document.querySelectorAll('table.sortable th').entries())
  th.addEventListener('click', () => {
    const body = th.closest('table').tBodies[0];
    const dir = th.dataset.dir === 'asc' ? -1 : 1;
    th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    const key = (tr) => {
      const t = tr.cells[i].textContent.trim();
      const n = Number.parseFloat(t);
      return Number.isNaN(n) ? t : n;
    };
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = key(a);
      const y = key(b);
      return (x > y ? 1 : x < y ? -1 : 0) * dir;
    });
    for (const tr of rows) body.appendChild(tr);
  });
