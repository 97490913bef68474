import { describe, expect, it } from 'vitest';
import { Output } from './output.js';
import { visible } from './visible.js';

describe('visible', () => {
  it('shows control characters, escape sequences and bidi overrides as escapes', () => {
    expect(visible('a\u001b]52;c;ZXZpbA==\u0007b')).toBe('a\\x1b]52;c;ZXZpbA==\\x07b');
    expect(visible('\u001b[2J\u009b1m')).toBe('\\x1b[2J\\x9b1m');
    expect(visible('row\nforged\r\trow')).toBe('row\\nforged\\r\\trow');
    expect(visible('abc\u202eexe.txt\u2066\u200b\u2028\ufeff')).toBe(
      'abc\\u202eexe.txt\\u2066\\u200b\\u2028\\ufeff',
    );
    expect(visible('\u007f\u0000')).toBe('\\x7f\\x00');
  });

  it('keeps every other character, accents, emoji and box drawing included', () => {
    const text = 'São Paulo → 東京 🚀 ∞ \\x1b stays literal';
    expect(visible(text)).toBe(text);
  });
});

describe('Output', () => {
  it('makes table cells and field values visible, so a newline cannot forge a row', () => {
    const written: string[] = [];
    const out = new Output({ write: (chunk: string) => written.push(chunk) }, true);
    out.table([{ id: 'a', detail: 'x\nb  forged\u001b[2J' }], ['id', 'detail']);
    out.fields({ status: 'active', label: '\u001b]8;;http://evil\u001b\\' });
    const text = written.join('');
    expect(text.split('\n')).toHaveLength(6);
    expect(text).toContain('x\\nb  forged\\x1b[2J');
    expect(text).toContain('\\x1b]8;;http://evil\\x1b\\');
    // Our own colour codes still colour states on a terminal.
    expect(text).toContain('\u001b[32mactive\u001b[39m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: our own colour codes, removed
    expect(text.replaceAll(/\u001b\[(32|39)m/g, '')).not.toContain('\u001b');
  });
});
