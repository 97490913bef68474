import { visible } from './visible.js';

/**
 * Where a command prints: aligned tables and `name value` fields for people, JSON for
 * scripts (--json). Every human-readable line goes through `visible` (stored text cannot
 * drive the terminal); JSON escapes control characters itself.
 */

/** The stream a command writes to (process.stdout, or a capture in tests). */
export interface TextSink {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

const STATE_COLOURS: Record<string, number> = {
  active: 32,
  closed: 32,
  'half-open': 33,
  open: 31,
  disabled: 90,
};
const COLOURED_COLUMNS = new Set(['status', 'circuit', 'state']);

const cell = (v: unknown): string =>
  visible(
    v === undefined || v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v),
  );

export class Output {
  /** @param colour states in colour (only on a terminal, never with NO_COLOR). */
  constructor(
    readonly sink: TextSink,
    private readonly colour: boolean,
  ) {}

  /** One line of text; stored values in it are made visible. */
  line(text: string): void {
    this.sink.write(`${visible(text)}\n`);
  }

  json(value: unknown): void {
    this.sink.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  /** One JSON value per line (--follow --json). */
  jsonLine(value: unknown): void {
    this.sink.write(`${JSON.stringify(value)}\n`);
  }

  table(rows: Record<string, unknown>[], columns: string[]): void {
    if (rows.length === 0) {
      this.sink.write('(none)\n');
      return;
    }
    const cells = rows.map((r) => columns.map((c) => cell(r[c])));
    const widths = columns.map((c, i) =>
      Math.max(c.length, ...cells.map((r) => r[i]?.length ?? 0)),
    );
    // Padding is computed on the plain text: colour codes take no columns on screen.
    const line = (values: string[], painted: boolean) =>
      values
        .map((v, i) => {
          const pad = ' '.repeat((widths[i] as number) - v.length);
          return `${painted ? this.paint(columns[i] as string, v) : v}${pad}`;
        })
        .join('  ')
        .trimEnd();
    this.sink.write(
      `${line(columns, false)}\n${line(
        widths.map((w) => '-'.repeat(w)),
        false,
      )}\n`,
    );
    for (const r of cells) this.sink.write(`${line(r, true)}\n`);
  }

  /** One `name value` line per field, names aligned. */
  fields(record: object): void {
    const entries = Object.entries(record);
    const width = Math.max(...entries.map(([k]) => k.length));
    for (const [k, v] of entries)
      this.sink.write(`${k.padEnd(width)}  ${this.paint(k, cell(v))}\n`);
  }

  /** A state word in its colour (green ok, yellow probing, red open, grey disabled). */
  private paint(column: string, text: string): string {
    const code = STATE_COLOURS[text];
    if (!this.colour || code === undefined || !COLOURED_COLUMNS.has(column)) return text;
    return `\u001b[${code}m${text}\u001b[39m`;
  }
}

export const isoTime = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);
