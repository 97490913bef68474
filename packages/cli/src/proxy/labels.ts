import { ValidationError } from '@leasehold/client';
import { isLabelName, type ProxyLabels } from '@leasehold/core';

/** `--label name=value` (repeatable): any label name, the value may hold `=`. */
export function labelsOf(pairs: string[] = []): ProxyLabels {
  const labels: ProxyLabels = {};
  for (const pair of pairs) {
    const [key = '', ...rest] = pair.split('=');
    if (!isLabelName(key) || rest.length === 0) {
      throw new ValidationError([
        {
          field: '--label',
          message: 'expects name=value with a name like provider or tier ([a-z][a-z0-9_]*)',
        },
      ]);
    }
    labels[key] = rest.join('=');
  }
  return labels;
}

export const labelText = (labels: ProxyLabels): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
