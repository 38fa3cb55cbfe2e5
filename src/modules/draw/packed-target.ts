/**
 * A memory-compact {@link PoolTarget}: city-scale pools hold about a million of them at once.
 * Pure (no Node imports), like the rest of the draw core.
 */
import type { PoolTarget } from './algorithm.js';
import type { TargetCategory } from '../targets/target-category.js';

const NONE: readonly string[] = Object.freeze([]);

/**
 * A pool target whose two id lists are kept as the TAB-joined text they arrive in (from SQL's
 * `string_agg(…, E'\t')` or a canonical pool line) and split only when read: a pool of a million
 * targets then holds one string per list instead of an array of strings. Each read of
 * `relatedPersonIds` / `lastTeam` returns a NEW array, so callers read once into a local.
 * `stratum`, `category` and `departmentCode` should be strings shared between targets.
 * Serialises to the plain {@link PoolTarget} shape (`toJSON`).
 * Example: `new PackedPoolTarget('t1', 'HOTEL|A|350322510000', 'HOTEL', 'ZA', 'p1\tp2', null)`
 * has `relatedPersonIds` `['p1', 'p2']` and `lastTeam` `[]`.
 */
export class PackedPoolTarget implements PoolTarget {
  constructor(
    readonly id: string,
    readonly stratum: string,
    readonly category: TargetCategory,
    readonly departmentCode: string,
    /** TAB-joined related person ids, or null (empty) for none. */
    readonly personsText: string | null,
    /** TAB-joined inspector ids of the last team, or null (empty) for none. */
    readonly lastTeamText: string | null,
  ) {}

  get relatedPersonIds(): readonly string[] {
    return this.personsText ? this.personsText.split('\t') : NONE;
  }

  get lastTeam(): readonly string[] {
    return this.lastTeamText ? this.lastTeamText.split('\t') : NONE;
  }

  toJSON(): PoolTarget {
    return {
      id: this.id,
      stratum: this.stratum,
      category: this.category,
      departmentCode: this.departmentCode,
      relatedPersonIds: this.relatedPersonIds,
      lastTeam: this.lastTeam,
    };
  }
}
