/**
 * The published draw record (公开) and its offline verification. Pure: runs in Node and browsers.
 *
 * A record holds everything needed to recompute the draw with no database: the frozen pools
 * (ids, strata and the attributes assignment reads; never names or ID numbers), their hashes,
 * the params, the commitment, the revealed seed, the public entropy and the result.
 */
import {
  ALGORITHM_VERSION,
  commitSeed,
  deriveKey,
  DrawInputError,
  fromHex,
  freezeInspectorPool,
  freezeTargetPool,
  hashParams,
  indexOfTarget,
  selectTargets,
  toHex,
  type DrawParams,
  type FrozenInspectorPool,
  type FrozenTargetPool,
  type HashFn,
  type PoolInspector,
  type PoolTarget,
  type StratumResult,
} from './algorithm.js';
import {
  assignInspectors,
  InfeasibleAssignmentError,
  type AssignmentConstraint,
  type AssignmentTarget,
  type TeamAssignment,
} from './assignment.js';

/** Outcome of inspector assignment: every team, or the target and constraint that made it infeasible. */
export type AssignmentOutcome =
  | { status: 'ASSIGNED'; teams: TeamAssignment[] }
  | { status: 'INFEASIBLE'; targetId: string; constraint: AssignmentConstraint; eligibleCount: number };

/** The deterministic output of a draw. */
export interface DrawResult {
  /** One entry per stratum of the pool, in UTF-8 order of the stratum key. */
  strata: StratumResult[];
  assignment: AssignmentOutcome;
}

/**
 * The published record. JSON field order is irrelevant; pools may be listed in any order
 * (the verifier re-canonicalises), but records written by {@link buildDrawRecord} list them canonically.
 */
export interface DrawRecord {
  algorithm: typeof ALGORITHM_VERSION;
  /** SM3(seed), hex; published before the draw. */
  commitment: string;
  /** The 32-byte seed, hex; revealed after the draw. */
  seed: string;
  /** Public entropy typed at draw time; `''` when none. */
  entropy: string;
  params: DrawParams;
  paramsHash: string;
  targetPoolHash: string;
  inspectorPoolHash: string;
  result: DrawResult;
  targetPool: PoolTarget[];
  inspectorPool: PoolInspector[];
}

/** What the draw needs once pools are frozen and the seed is committed. */
export interface DrawInput {
  targetPool: FrozenTargetPool;
  inspectorPool: FrozenInspectorPool;
  params: DrawParams;
  /** 32 secret bytes whose SM3 was published before the draw. */
  seed: Uint8Array;
  /** Public entropy typed at draw time; `''` or absent when none. */
  entropy?: string;
}

/** Everything computed from a {@link DrawInput}. */
export interface DrawComputation {
  commitment: string;
  paramsHash: string;
  /** Stream key, hex (not secret once the seed is revealed; useful to re-implementers). */
  key: string;
  result: DrawResult;
}

/**
 * Runs the whole draw: key derivation, stratified selection, then greedy assignment in draw order.
 * An infeasible assignment is an outcome (kept and published like any attempt), not an exception.
 *
 * @throws DrawInputError when params do not fit the pools (unknown stratum or must-include id, …).
 */
export function computeDraw(input: DrawInput, hash: HashFn): DrawComputation {
  const { targetPool, inspectorPool, params, seed } = input;
  const entropy = input.entropy ?? '';
  const commitment = commitSeed(seed, hash);
  const paramsHash = hashParams(params, hash).hash;
  const key = deriveKey(
    { seed, entropy, targetPoolHash: targetPool.hash, inspectorPoolHash: inspectorPool.hash, paramsHash },
    hash,
  );
  const strata = selectTargets(targetPool, params, key, hash);
  const drawOrder: AssignmentTarget[] = strata.flatMap((s) =>
    [...s.mustInclude, ...s.drawn].map(
      (id) => targetPool.targets[indexOfTarget(targetPool, id)] as PoolTarget,
    ),
  );
  let assignment: AssignmentOutcome;
  try {
    assignment = {
      status: 'ASSIGNED',
      teams: assignInspectors(drawOrder, inspectorPool.inspectors, params, key, hash),
    };
  } catch (error) {
    if (!(error instanceof InfeasibleAssignmentError)) throw error;
    assignment = {
      status: 'INFEASIBLE',
      targetId: error.targetId,
      constraint: error.constraint,
      eligibleCount: error.eligibleCount,
    };
  }
  return { commitment, paramsHash, key: toHex(key), result: { strata, assignment } };
}

/** Computes the draw and returns the record to publish once the seed may be revealed. */
export function buildDrawRecord(input: DrawInput, hash: HashFn): DrawRecord {
  const computed = computeDraw(input, hash);
  return {
    algorithm: ALGORITHM_VERSION,
    commitment: computed.commitment,
    seed: toHex(input.seed),
    entropy: input.entropy ?? '',
    params: input.params,
    paramsHash: computed.paramsHash,
    targetPoolHash: input.targetPool.hash,
    inspectorPoolHash: input.inspectorPool.hash,
    result: computed.result,
    targetPool: [...input.targetPool.targets],
    inspectorPool: [...input.inspectorPool.inspectors],
  };
}

/** Values announced before the draw; when given, the record must carry exactly these. */
export interface PublishedAnnouncement {
  commitment?: string;
  targetPoolHash?: string;
  inspectorPoolHash?: string;
  paramsHash?: string;
}

/** Verification answer; `firstDifference` names the first field that does not match and both values. */
export type DrawVerification = { match: true } | { match: false; firstDifference: string };

/**
 * Recomputes a record from scratch and compares, in this order: the announced values (if given),
 * commitment = SM3(seed), the target pool hash, the inspector pool hash, the params hash, then the
 * result field by field.
 *
 * @example verifyDrawRecord(parseDrawRecord(JSON.parse(text)), sm3Node) // { match: true }
 */
export function verifyDrawRecord(
  record: DrawRecord,
  hash: HashFn,
  published: PublishedAnnouncement = {},
): DrawVerification {
  const mismatch = (firstDifference: string): DrawVerification => ({ match: false, firstDifference });
  if (record.algorithm !== ALGORITHM_VERSION) {
    return mismatch(
      `algorithm: this verifier implements ${ALGORITHM_VERSION}, the record says ${JSON.stringify(record.algorithm)}`,
    );
  }
  for (const field of ['commitment', 'targetPoolHash', 'inspectorPoolHash', 'paramsHash'] as const) {
    const announced = published[field];
    if (announced !== undefined && announced.toLowerCase() !== record[field]) {
      return mismatch(
        `${field}: published before the draw ${announced.toLowerCase()}, recorded ${record[field]}`,
      );
    }
  }
  let seed: Uint8Array;
  try {
    seed = fromHex(record.seed, 'seed');
    const commitment = commitSeed(seed, hash);
    if (commitment !== record.commitment) {
      return mismatch(`commitment: SM3(seed) = ${commitment}, recorded ${record.commitment}`);
    }
  } catch (error) {
    return mismatch(`seed: ${describeError(error)}`);
  }
  let targetPool: FrozenTargetPool;
  try {
    targetPool = freezeTargetPool(record.targetPool, hash);
  } catch (error) {
    return mismatch(`targetPool: ${describeError(error)}`);
  }
  if (targetPool.hash !== record.targetPoolHash) {
    return mismatch(`targetPoolHash: recomputed ${targetPool.hash}, recorded ${record.targetPoolHash}`);
  }
  let inspectorPool: FrozenInspectorPool;
  try {
    inspectorPool = freezeInspectorPool(record.inspectorPool, [], hash);
  } catch (error) {
    return mismatch(`inspectorPool: ${describeError(error)}`);
  }
  if (inspectorPool.hash !== record.inspectorPoolHash) {
    return mismatch(
      `inspectorPoolHash: recomputed ${inspectorPool.hash}, recorded ${record.inspectorPoolHash}`,
    );
  }
  let computed: DrawComputation;
  try {
    const paramsHash = hashParams(record.params, hash).hash;
    if (paramsHash !== record.paramsHash) {
      return mismatch(`paramsHash: recomputed ${paramsHash}, recorded ${record.paramsHash}`);
    }
    computed = computeDraw(
      { targetPool, inspectorPool, params: record.params, seed, entropy: record.entropy },
      hash,
    );
  } catch (error) {
    if (error instanceof DrawInputError) return mismatch(describeError(error));
    throw error;
  }
  const difference = firstDifference(computed.result, record.result, 'result');
  return difference === undefined ? { match: true } : mismatch(difference);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `${value.length} item(s)`;
  if (typeof value === 'object' && value !== null) return 'an object';
  return JSON.stringify(value);
}

/** Path of the first difference between two JSON values (recomputed first), or undefined. */
export function firstDifference(recomputed: unknown, recorded: unknown, path: string): string | undefined {
  if (Array.isArray(recomputed) && Array.isArray(recorded)) {
    const n = Math.min(recomputed.length, recorded.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(recomputed[i], recorded[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    if (recomputed.length !== recorded.length) {
      return `${path}: recomputed ${recomputed.length} item(s), recorded ${recorded.length}`;
    }
    return undefined;
  }
  if (isObject(recomputed) && isObject(recorded) && !Array.isArray(recomputed) && !Array.isArray(recorded)) {
    const keys = [...Object.keys(recomputed), ...Object.keys(recorded).filter((k) => !(k in recomputed))];
    for (const k of keys) {
      const d = firstDifference(recomputed[k], recorded[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (recomputed === recorded) return undefined;
  return `${path}: recomputed ${show(recomputed)}, recorded ${show(recorded)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The file is not a draw record; `field` names what is wrong (e.g. `result.strata[2].drawn`). */
export class DrawRecordFormatError extends Error {
  readonly code = 'DRAW_RECORD_INVALID';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'DrawRecordFormatError';
  }
}

const HEX64 = /^[0-9a-f]{64}$/;
// Unknown params would be published without being hashed or used: refuse rather than ignore them.
const PARAM_KEYS = ['planId', 'plannedDate', 'quotas', 'mustInclude', 'teamSize', 'workloadCap'];

/**
 * Checks that parsed JSON has the shape of a {@link DrawRecord}. Shape only: the content of the
 * pools and params (dates, categories, duplicates) is judged by the verifier, which reports it
 * as a mismatch because such a record cannot be reproduced.
 *
 * @throws DrawRecordFormatError naming the first malformed field.
 */
export function parseDrawRecord(value: unknown): DrawRecord {
  const fail = (field: string, message: string): never => {
    throw new DrawRecordFormatError(field, message);
  };
  const obj = (v: unknown, field: string): Record<string, unknown> =>
    isObject(v) && !Array.isArray(v) ? v : fail(field, `expected an object, got ${typeName(v)}`);
  const arr = (v: unknown, field: string): unknown[] =>
    Array.isArray(v) ? v : fail(field, `expected an array, got ${typeName(v)}`);
  const str = (v: unknown, field: string): string =>
    typeof v === 'string' ? v : fail(field, `expected a string, got ${typeName(v)}`);
  const int = (v: unknown, field: string): number =>
    Number.isSafeInteger(v) ? (v as number) : fail(field, `expected an integer, got ${typeName(v)}`);
  const strings = (v: unknown, field: string): string[] =>
    arr(v, field).map((x, i) => str(x, `${field}[${i}]`));
  const hex64 = (v: unknown, field: string): string =>
    HEX64.test(str(v, field))
      ? (v as string)
      : fail(field, `expected 64 lower-case hex digits, got ${JSON.stringify(v)}`);

  const root = obj(value, 'record');
  const algorithm = str(root.algorithm, 'algorithm');
  if (algorithm !== ALGORITHM_VERSION)
    fail('algorithm', `expected "${ALGORITHM_VERSION}", got ${JSON.stringify(algorithm)}`);
  hex64(root.commitment, 'commitment');
  hex64(root.seed, 'seed');
  str(root.entropy, 'entropy');
  hex64(root.paramsHash, 'paramsHash');
  hex64(root.targetPoolHash, 'targetPoolHash');
  hex64(root.inspectorPoolHash, 'inspectorPoolHash');
  const params = obj(root.params, 'params');
  for (const k of Object.keys(params)) {
    if (!PARAM_KEYS.includes(k))
      fail(`params.${k}`, `unknown parameter; expected only ${PARAM_KEYS.join(', ')}`);
  }
  arr(root.targetPool, 'targetPool').forEach((t, i) => obj(t, `targetPool[${i}]`));
  arr(root.inspectorPool, 'inspectorPool').forEach((t, i) => obj(t, `inspectorPool[${i}]`));

  const result = obj(root.result, 'result');
  arr(result.strata, 'result.strata').forEach((s, i) => {
    const field = `result.strata[${i}]`;
    const stratum = obj(s, field);
    str(stratum.stratum, `${field}.stratum`);
    int(stratum.size, `${field}.size`);
    int(stratum.quota, `${field}.quota`);
    strings(stratum.mustInclude, `${field}.mustInclude`);
    strings(stratum.drawn, `${field}.drawn`);
  });
  const assignment = obj(result.assignment, 'result.assignment');
  if (assignment.status === 'ASSIGNED') {
    arr(assignment.teams, 'result.assignment.teams').forEach((t, i) => {
      const team = obj(t, `result.assignment.teams[${i}]`);
      str(team.targetId, `result.assignment.teams[${i}].targetId`);
      strings(team.inspectorIds, `result.assignment.teams[${i}].inspectorIds`);
    });
  } else if (assignment.status === 'INFEASIBLE') {
    str(assignment.targetId, 'result.assignment.targetId');
    str(assignment.constraint, 'result.assignment.constraint');
    int(assignment.eligibleCount, 'result.assignment.eligibleCount');
  } else {
    fail(
      'result.assignment.status',
      `expected "ASSIGNED" or "INFEASIBLE", got ${typeName(assignment.status)}`,
    );
  }
  return root as unknown as DrawRecord;
}

function typeName(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
