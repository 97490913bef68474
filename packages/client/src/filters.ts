import {
  type FilterClause,
  LABEL_NAMES,
  labelSetSuffix,
  type ProxyFilters,
  tagSetSuffix,
} from '@leasehold/core';

/**
 * Compiles validated filters into the compact form lua/includes/pickProxy.lua evaluates:
 * the hash fields to read once per candidate, conditions as (field index, value) pairs, and
 * the label/tag sets that contain every match (used to drive the search when small).
 * `exclude` is not part of that JSON: the script caches decoded filters by their JSON, and
 * exclusion lists differ from call to call. They follow it after a newline (which
 * JSON.stringify never emits), as comma-separated proxy ids, in the one filter argument.
 */

type Condition = [fieldIndex: number, value: string];

interface CompiledFilter {
  fields: string[];
  all: Condition[];
  any: Condition[][];
  none: Condition[][];
  drive: string[];
}

export function compileFilters(filters: ProxyFilters | undefined): string {
  if (filters === undefined) return '';
  const fields: string[] = [];
  const drive = new Set<string>();

  const condition = (field: string, value: string): Condition => {
    let index = fields.indexOf(field);
    if (index === -1) index = fields.push(field) - 1;
    return [index + 1, value];
  };

  const clause = (c: FilterClause, collectDrive: boolean): Condition[] => {
    const conditions: Condition[] = [];
    for (const name of LABEL_NAMES) {
      const value = c[name];
      if (value === undefined) continue;
      conditions.push(condition(`label:${name}`, String(value)));
      if (collectDrive) drive.add(labelSetSuffix(name, String(value)));
    }
    for (const tag of c.tags ?? []) {
      conditions.push(condition(`tag:${tag}`, '1'));
      if (collectDrive) drive.add(tagSetSuffix(tag));
    }
    return conditions;
  };

  const compiled: CompiledFilter = {
    fields,
    all: [clause(filters, true), ...(filters.allOf ?? []).map((c) => clause(c, true))].flat(),
    any: (filters.anyOf ?? []).map((c) => clause(c, false)),
    none: (filters.noneOf ?? []).map((c) => clause(c, false)),
    drive: [...drive],
  };
  const exclude = filters.exclude ?? [];
  const cacheable =
    compiled.all.length === 0 && compiled.any.length === 0 && compiled.none.length === 0
      ? ''
      : JSON.stringify(compiled);
  return exclude.length === 0 ? cacheable : `${cacheable}\n${exclude.join(',')}`;
}
