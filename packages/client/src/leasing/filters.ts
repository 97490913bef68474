import {
  FILTER_WORDS,
  type FilterClause,
  type NearFilter,
  type ProxyFilters,
} from '@leasehold/core';
import { labelSetSuffix, tagSetSuffix } from '@leasehold/core/internal';
import { geoCover } from './geoCover.js';

/**
 * Compiles validated filters into the compact form lua/includes/pickProxy.lua evaluates:
 * the hash fields to read once per candidate, and a tree of nodes over them. A node holds
 * when all its conditions (field index, value) hold, every `near` holds, each of its `any`
 * groups has a node that holds, and none of its `none` nodes holds. `allOf` clauses fold into
 * their parent (a conjunction of conjunctions), so only `anyOf` and `noneOf` nest.
 * The root also lists the label/tag sets that contain every match (`drive`, used to drive the
 * search when small) and the root's own `near` (`geo`, searched in the pool's geo index); with
 * no label or tag to drive by, also `cover`: the score intervals of the geohash cells covering
 * that circle (see geoCover), from which the script draws candidates.
 * `exclude` is not part of that JSON: the script caches decoded filters by their JSON, and
 * exclusion lists differ from call to call. They follow it after a newline (which
 * JSON.stringify never emits), as comma-separated proxy ids, in the one filter argument.
 */

type Condition = [fieldIndex: number, value: string];
/** Field indexes of latitude and longitude, the centre, and the radius in metres. */
type Near = [latitudeField: number, longitudeField: number, lat: number, lon: number, m: number];

interface Node {
  all: Condition[];
  near?: Near[];
  any?: Node[][];
  none?: Node[];
}

interface CompiledFilter extends Node {
  fields: string[];
  drive: string[];
  geo?: [latitude: number, longitude: number, radiusKm: number];
  cover?: readonly number[];
}

const NOT_LABELS = new Set<string>(FILTER_WORDS);

export function compileFilters(filters: ProxyFilters | undefined): string {
  if (filters === undefined) return '';
  const fields: string[] = [];
  const field = (name: string): number => {
    let index = fields.indexOf(name);
    if (index === -1) index = fields.push(name) - 1;
    return index + 1;
  };

  // Fold `clause` into `node`; `root` marks the conjunctive positions whose sets drive the search.
  const fold = (node: Node, clause: FilterClause, root: CompiledFilter | undefined) => {
    for (const [name, value] of Object.entries(clause)) {
      if (NOT_LABELS.has(name) || value === undefined) continue;
      node.all.push([field(`label:${name}`), String(value)]);
      root?.drive.push(labelSetSuffix(name, String(value)));
    }
    for (const tag of clause.tags ?? []) {
      node.all.push([field(`tag:${tag}`), '1']);
      root?.drive.push(tagSetSuffix(tag));
    }
    if (clause.near) {
      node.near = [...(node.near ?? []), nearCondition(clause.near)];
      if (root && (root.geo === undefined || clause.near.radiusKm < root.geo[2]))
        root.geo = [clause.near.latitude, clause.near.longitude, clause.near.radiusKm];
    }
    for (const child of clause.allOf ?? []) fold(node, child, root);
    if (clause.anyOf?.length) node.any = [...(node.any ?? []), clause.anyOf.map(compileNode)];
    if (clause.noneOf?.length)
      node.none = [...(node.none ?? []), ...clause.noneOf.map(compileNode)];
  };
  const compileNode = (clause: FilterClause): Node => {
    const node: Node = { all: [] };
    fold(node, clause, undefined);
    return node;
  };
  const nearCondition = (near: NearFilter): Near => [
    field('latitude'),
    field('longitude'),
    near.latitude,
    near.longitude,
    near.radiusKm * 1000,
  ];

  const compiled: CompiledFilter = { fields, all: [], drive: [] };
  fold(compiled, filters, compiled);
  compiled.drive = [...new Set(compiled.drive)];
  if (compiled.geo && compiled.drive.length === 0) compiled.cover = geoCover(...compiled.geo);
  const exclude = filters.exclude ?? [];
  const cacheable = fields.length === 0 ? '' : JSON.stringify(compiled);
  return exclude.length === 0 ? cacheable : `${cacheable}\n${exclude.join(',')}`;
}
