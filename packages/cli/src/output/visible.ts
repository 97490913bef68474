/**
 * Text read from Redis (messages, reasons, labels, consumer names) made safe for a terminal:
 * a stored `ESC]52;…` would write the reader's clipboard, `ESC[2J` clear the screen, a `\n`
 * forge a table row, a bidi override reorder what is shown. Each such character is printed
 * as a visible escape (`\x1b`, `\n`, `\u202e`) instead; every other character is kept.
 */
// C0, DEL and C1 controls; bidi marks, embeddings, overrides and isolates; zero-width and
// line/paragraph separators; the byte-order mark.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOf(char: string): string {
  const named = NAMED[char];
  if (named !== undefined) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

export function visible(text: string): string {
  return text.replace(UNSAFE, escapeOf);
}
