const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Every id, label and message goes through this: they come from scrapers and operators. */
function escapeHtml(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

/** Markup already escaped (or written by us): the html tag inserts it as it is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

type Part = Html | string | number | null | undefined | readonly Html[];

/** A template tag that escapes every interpolation unless it is already Html. */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? '';
  parts.forEach((part, i) => {
    if (Array.isArray(part)) out += part.map((p) => p.value).join('');
    else out += part instanceof Html ? part.value : escapeHtml(part);
    out += strings[i + 1] ?? '';
  });
  return new Html(out);
}
