/** Aligned tables for people (states coloured on a terminal), JSON for scripts (--json). */

/** Colour only on a terminal, and never with NO_COLOR set (https://no-color.org). */
const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;

const STATE_COLOURS: Record<string, number> = {
  active: 32,
  closed: 32,
  'half-open': 33,
  open: 31,
  disabled: 90,
};

/** A state word in its colour (green ok, yellow probing, red open, grey disabled). */
function paint(column: string, text: string): string {
  const code = STATE_COLOURS[text];
  if (!colour || code === undefined || !['status', 'circuit', 'state'].includes(column))
    return text;
  return `\u001b[${code}m${text}\u001b[39m`;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

const cell = (v: unknown) =>
  v === undefined || v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v);

export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) {
    process.stdout.write('(none)\n');
    return;
  }
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  // Padding is computed on the plain text: escape codes take no columns on screen.
  const line = (cells: string[], painted = false) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat((widths[i] as number) - c.length);
        return `${painted ? paint(columns[i] as string, c) : c}${pad}`;
      })
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows)
    process.stdout.write(
      `${line(
        columns.map((c) => cell(r[c])),
        true,
      )}\n`,
    );
}

/** One `name value` line per field, names aligned. */
export function printFields(record: object): void {
  const entries = Object.entries(record);
  const width = Math.max(...entries.map(([k]) => k.length));
  for (const [k, v] of entries) process.stdout.write(`${k.padEnd(width)}  ${paint(k, cell(v))}\n`);
}

export const isoTime = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);
