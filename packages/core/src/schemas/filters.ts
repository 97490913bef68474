import { z } from 'zod';
import { LIMITS } from '../bounds.js';
import {
  isLabelName,
  labelNameMessage,
  labelValue,
  latitude,
  longitude,
  tag,
  withoutProtoKey,
} from './proxies.js';

// Acquire's filters: label equalities, tags, a geo radius and nested clauses, bounded.

/** Proxies whose location lies within `radiusKm` (great-circle, as Redis GEO measures it). */
export const NearFilterSchema = z
  .object({ latitude, longitude, radiusKm: z.number().finite().gt(0).max(LIMITS.maxRadiusKm) })
  .strict();
export type NearFilter = z.output<typeof NearFilterSchema>;

const filterTags = z.array(tag).max(LIMITS.maxTags).optional();

/**
 * A filter clause: label equalities by name, `tags` (all present), `near`, and nested
 * `allOf` / `anyOf` / `noneOf` clauses (pharox's trees), to LIMITS.maxFilterDepth levels.
 */
export interface FilterClause {
  tags?: string[];
  allOf?: FilterClause[];
  anyOf?: FilterClause[];
  noneOf?: FilterClause[];
  near?: NearFilter;
  [label: string]: string | number | string[] | FilterClause[] | NearFilter | undefined;
}

const clauseList = () =>
  z.array(z.lazy((): z.ZodType<FilterClause> => FilterClauseSchema)).max(LIMITS.maxClauses);

const clauseShape = {
  tags: filterTags,
  allOf: clauseList().optional(),
  anyOf: clauseList().min(1, 'must have at least one clause').optional(),
  noneOf: clauseList().optional(),
  near: NearFilterSchema.optional(),
};

/** Every key that is not a filter word is a label: its name and value are checked here. */
function checkLabels(clause: Record<string, unknown>, ctx: z.RefinementCtx, topLevel: boolean) {
  let labels = 0;
  for (const [key, value] of Object.entries(clause)) {
    if (Object.hasOwn(clauseShape, key) || (topLevel && key === 'exclude')) continue;
    if (!isLabelName(key)) {
      const message =
        key === 'exclude' ? 'is only allowed at the top level of filters' : labelNameMessage;
      ctx.addIssue({ code: 'custom', path: [key], message });
      continue;
    }
    labels += 1;
    const parsed = labelValue.safeParse(value);
    for (const issue of parsed.error?.issues ?? [])
      ctx.addIssue({ code: 'custom', path: [key, ...issue.path], message: issue.message });
  }
  if (labels > LIMITS.maxLabels)
    ctx.addIssue({ code: 'custom', path: [], message: `at most ${LIMITS.maxLabels} labels` });
}

const hasCondition = (clause: Record<string, unknown>) =>
  Object.values(clause).some((v) => v !== undefined && (!Array.isArray(v) || v.length > 0));

export const FilterClauseSchema: z.ZodType<FilterClause> = withoutProtoKey(
  z
    .object(clauseShape)
    .catchall(z.unknown())
    .superRefine((clause, ctx) => {
      checkLabels(clause, ctx, false);
      if (!hasCondition(clause))
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: 'a clause needs at least one condition',
        });
    }),
) as z.ZodType<FilterClause>;

/**
 * Depth and size of a filter tree, checked before the tree is parsed (so a deep input never
 * recurses far): the issue names the first clause past a bound, e.g.
 * `anyOf[1].allOf[0].noneOf[0].anyOf[0].allOf[0]`.
 */
function checkTreeBounds(input: unknown, ctx: z.RefinementCtx): void {
  let clauses = 0;
  const walk = (node: unknown, depth: number, path: (string | number)[]): boolean => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return true;
    for (const word of ['allOf', 'anyOf', 'noneOf'] as const) {
      const list = (node as Record<string, unknown>)[word];
      if (!Array.isArray(list)) continue;
      for (let i = 0; i < list.length; i++) {
        const at = [...path, word, i];
        if (depth + 1 > LIMITS.maxFilterDepth) {
          const message = `nests deeper than ${LIMITS.maxFilterDepth} levels`;
          ctx.addIssue({ code: 'custom', path: at, message });
          return false;
        }
        clauses += 1;
        if (clauses > LIMITS.maxFilterClauses) {
          const message = `the filter has more than ${LIMITS.maxFilterClauses} clauses`;
          ctx.addIssue({ code: 'custom', path: at, message });
          return false;
        }
        if (!walk(list[i], depth + 1, at)) return false;
      }
    }
    return true;
  };
  walk(input, 0, []);
}

/** A whole filter: a clause (which may be empty) plus `exclude`, a list of proxy ids. */
export type ProxyFilters = FilterClause & { exclude?: string[] };

export const ProxyFiltersSchema: z.ZodType<ProxyFilters> = z
  .unknown()
  .superRefine(checkTreeBounds)
  .pipe(
    withoutProtoKey(
      z
        .object({
          ...clauseShape,
          exclude: z
            .array(z.string().regex(/^[0-9a-f]{16}$/, 'must be proxy ids'))
            .max(LIMITS.maxExclude)
            .optional(),
        })
        .catchall(z.unknown())
        .superRefine((filters, ctx) => checkLabels(filters, ctx, true)),
    ),
  ) as z.ZodType<ProxyFilters>;
