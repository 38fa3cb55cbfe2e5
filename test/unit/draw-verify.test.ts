import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { commitSeed, fromHex, toHex, utf8 } from '../../src/modules/draw/algorithm.js';
import {
  DrawRecordFormatError,
  parseDrawRecord,
  verifyDrawRecord,
  type DrawRecord,
} from '../../src/modules/draw/record.js';
import { sm3Node } from '../../src/modules/draw/sm3-node.js';

const REPO = resolve(import.meta.dirname, '../..');
const VECTOR_DIR = join(REPO, 'docs/draw-vectors');
const RECORDS = ['basic', 'unicode', 'infeasible'];

function load(name: string): DrawRecord {
  return parseDrawRecord(JSON.parse(readFileSync(join(VECTOR_DIR, `${name}.json`), 'utf8')));
}

/** A deep copy to tamper with. */
function copy(record: DrawRecord): DrawRecord {
  return structuredClone(record);
}

function difference(record: DrawRecord, published = {}): string {
  const verdict = verifyDrawRecord(record, sm3Node, published);
  if (verdict.match) throw new Error('expected a mismatch');
  return verdict.firstDifference;
}

describe('verifyDrawRecord', () => {
  for (const name of RECORDS) {
    it(`the published vector ${name}.json matches`, () => {
      expect(verifyDrawRecord(load(name), sm3Node)).toEqual({ match: true });
    });
  }

  it('matches when the announced values are given and equal', () => {
    const record = load('basic');
    const { commitment, targetPoolHash, inspectorPoolHash, paramsHash } = record;
    expect(
      verifyDrawRecord(record, sm3Node, { commitment, targetPoolHash, inspectorPoolHash, paramsHash }),
    ).toEqual({
      match: true,
    });
  });

  it('a changed target id: the target pool hash differs', () => {
    const record = copy(load('basic'));
    const target = record.targetPool.find((t) => t.id === 'T-350322-H05');
    if (target === undefined) throw new Error('fixture changed');
    target.id = 'T-350322-H55';
    expect(difference(record)).toMatch(
      /^targetPoolHash: recomputed [0-9a-f]{64}, recorded 78d3297e[0-9a-f]{56}$/,
    );
  });

  it('a changed stratum, inspector attribute or param: the matching hash differs', () => {
    const stratum = copy(load('basic'));
    (stratum.targetPool[0] as { stratum: string }).stratum = 'HOTEL|B|350322510000';
    expect(difference(stratum)).toMatch(/^targetPoolHash: /);

    const load2 = copy(load('basic'));
    (load2.inspectorPool[2] as { currentLoad: number }).currentLoad = 0;
    expect(difference(load2)).toMatch(/^inspectorPoolHash: recomputed [0-9a-f]{64}, recorded c54b39e6/);

    const recusal = copy(load('basic'));
    (recusal.inspectorPool[1] as { recusalTargetIds: readonly string[] }).recusalTargetIds = [];
    expect(difference(recusal)).toMatch(/^inspectorPoolHash: /);

    const quota = copy(load('basic'));
    (quota.params.quotas[0] as { quota: number }).quota = 4;
    expect(difference(quota)).toMatch(/^paramsHash: recomputed [0-9a-f]{64}, recorded 56c2317b/);
  });

  it('a changed seed: the commitment no longer matches', () => {
    const record = copy(load('basic'));
    const seed = fromHex(record.seed);
    seed[0] = (seed[0] as number) ^ 1;
    record.seed = toHex(seed);
    expect(difference(record)).toBe(
      `commitment: SM3(seed) = ${commitSeed(seed, sm3Node)}, recorded ${record.commitment}`,
    );
  });

  it('a changed seed with a matching forged commitment: caught by the announced commitment, else by the result', () => {
    const original = load('basic');
    const record = copy(original);
    const seed = sm3Node(utf8('a seed chosen after the fact'));
    record.seed = toHex(seed);
    record.commitment = commitSeed(seed, sm3Node);
    expect(difference(record, { commitment: original.commitment })).toBe(
      `commitment: published before the draw ${original.commitment}, recorded ${record.commitment}`,
    );
    // Without the announcement the forged pair is self-consistent, but the result no longer is.
    expect(difference(record)).toMatch(
      /^result\.strata\[0\]\.drawn\[0\]: recomputed "T-350322-H\d\d", recorded "T-350322-H03"$/,
    );
  });

  it('changed entropy: the result differs', () => {
    const record = copy(load('basic'));
    record.entropy = '2025068期 福彩3D 4 7 2';
    expect(difference(record)).toMatch(
      /^result\.strata\[0\]\.drawn\[2\]: recomputed "T-350322-H\d\d", recorded "T-350322-H04"$/,
    );
  });

  it('a changed drawn id, a dropped id and a changed team member are named by path', () => {
    const swapped = copy(load('basic'));
    (swapped.result.strata[0] as { drawn: string[] }).drawn[1] = 'T-350322-H09';
    expect(difference(swapped)).toBe(
      'result.strata[0].drawn[1]: recomputed "T-350322-H01", recorded "T-350322-H09"',
    );

    const dropped = copy(load('basic'));
    (dropped.result.strata[2] as { drawn: string[] }).drawn.pop();
    expect(difference(dropped)).toBe('result.strata[2].drawn: recomputed 2 item(s), recorded 1');

    const team = copy(load('basic'));
    if (team.result.assignment.status !== 'ASSIGNED') throw new Error('fixture changed');
    (team.result.assignment.teams[3] as { inspectorIds: string[] }).inspectorIds[0] = 'I-004';
    expect(difference(team)).toBe(
      'result.assignment.teams[3].inspectorIds[0]: recomputed "I-008", recorded "I-004"',
    );
  });

  it('a forged feasibility claim is caught', () => {
    const record = copy(load('infeasible'));
    if (record.result.assignment.status !== 'INFEASIBLE') throw new Error('fixture changed');
    record.result.assignment.constraint = 'RECUSAL';
    expect(difference(record)).toBe(
      'result.assignment.constraint: recomputed "WORKLOAD", recorded "RECUSAL"',
    );
    const claimed = copy(load('infeasible'));
    claimed.result.assignment = { status: 'ASSIGNED', teams: [] };
    expect(difference(claimed)).toBe(
      'result.assignment.status: recomputed "INFEASIBLE", recorded "ASSIGNED"',
    );
  });

  it('a pool that cannot be frozen is a mismatch naming the problem', () => {
    const record = copy(load('basic'));
    (record.targetPool[1] as { id: string }).id = (record.targetPool[0] as { id: string }).id;
    expect(difference(record)).toMatch(/^targetPool: targetPool: duplicate target id/);
  });
});

describe('parseDrawRecord', () => {
  const valid = (): Record<string, unknown> =>
    JSON.parse(readFileSync(join(VECTOR_DIR, 'basic.json'), 'utf8'));

  it('names the first malformed field', () => {
    const cases: [(r: Record<string, unknown>) => void, string][] = [
      [(r) => delete r.seed, 'seed'],
      [(r) => (r.commitment = 'ABC'), 'commitment'],
      [(r) => (r.algorithm = 'shuangsui-draw/2'), 'algorithm'],
      [(r) => (r.targetPool = {}), 'targetPool'],
      [(r) => ((r.params as Record<string, unknown>).teamSizeOverride = 1), 'params.teamSizeOverride'],
      [
        (r) => ((r.result as { strata: { drawn: unknown }[] }).strata[1]!.drawn = 'x'),
        'result.strata[1].drawn',
      ],
      [
        (r) => ((r.result as { assignment: { status: string } }).assignment.status = 'DONE'),
        'result.assignment.status',
      ],
    ];
    for (const [mutate, field] of cases) {
      const r = valid();
      mutate(r);
      let error: unknown;
      try {
        parseDrawRecord(r);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DrawRecordFormatError);
      expect((error as DrawRecordFormatError).field).toBe(field);
      expect((error as DrawRecordFormatError).code).toBe('DRAW_RECORD_INVALID');
    }
    expect(() => parseDrawRecord([])).toThrow(/record: expected an object, got an array/);
  });
});

describe('scripts/verify-draw.ts (child process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-draw-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function run(...args: string[]) {
    return spawnSync('npx', ['tsx', 'scripts/verify-draw.ts', ...args], { cwd: REPO, encoding: 'utf8' });
  }

  it('prints MATCH and exits 0 (via npm run verify-draw)', () => {
    const out = spawnSync('npm', ['run', '--silent', 'verify-draw', '--', 'docs/draw-vectors/basic.json'], {
      cwd: REPO,
      encoding: 'utf8',
    });
    expect(out.stdout.split('\n')[0]).toBe('MATCH');
    expect(out.status).toBe(0);
  });

  it('prints MISMATCH with the first difference and exits 1', () => {
    const record = copy(load('basic'));
    (record.result.strata[0] as { drawn: string[] }).drawn[1] = 'T-350322-H09';
    const file = join(dir, 'tampered.json');
    writeFileSync(file, JSON.stringify(record));
    const out = run(file);
    expect(out.stdout.trim()).toBe(
      'MISMATCH: result.strata[0].drawn[1]: recomputed "T-350322-H01", recorded "T-350322-H09"',
    );
    expect(out.status).toBe(1);
    const wrongAnnouncement = run(join(VECTOR_DIR, 'basic.json'), `--commitment=${'ab'.repeat(32)}`);
    expect(wrongAnnouncement.stdout).toMatch(/^MISMATCH: commitment: published before the draw abab/);
    expect(wrongAnnouncement.status).toBe(1);
  });

  it('exits 2 with a clear message for a missing, non-JSON or non-record file', () => {
    const missing = run(join(dir, 'nope.json'));
    expect(missing.stderr).toContain('cannot read');
    expect(missing.stderr).toContain('no such file');
    expect(missing.status).toBe(2);

    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, '{ "algorithm": ');
    const bad = run(notJson);
    expect(bad.stderr).toContain('is not valid JSON');
    expect(bad.status).toBe(2);

    const notRecord = join(dir, 'other.json');
    writeFileSync(notRecord, JSON.stringify({ algorithm: 'shuangsui-draw/1' }));
    const other = run(notRecord);
    expect(other.stderr).toContain('is not a draw record: commitment: expected a string, got nothing');
    expect(other.status).toBe(2);

    const usage = run();
    expect(usage.stderr).toContain('usage: npm run verify-draw');
    expect(usage.status).toBe(2);
  });
});
