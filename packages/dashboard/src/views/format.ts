/** Small formatters shared by the views. */
export const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
export const clock = (ms: number | null) =>
  ms === null ? '—' : new Date(ms).toISOString().slice(11, 19);
export const count = (n: number) => n.toLocaleString('en-US');
