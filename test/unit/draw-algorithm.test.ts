import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import { sm3 as sm3Js } from 'sm-crypto-v2';
import { describe, expect, it } from 'vitest';

import {
  assignmentLabel,
  canonicaliseParams,
  commitSeed,
  compareUtf8,
  deriveKey,
  DrawInputError,
  DrawStream,
  freezeInspectorPool,
  freezeTargetPool,
  fromHex,
  hashParams,
  selectionLabel,
  selectTargets,
  toHex,
  uniformInt,
  utf8,
  type DrawParams,
  type FrozenTargetPool,
  type HashFn,
  type Inspector,
  type PoolTarget,
  type Relationship,
  type WordSource,
} from '../../src/modules/draw/algorithm.js';
import {
  buildDrawRecord,
  computeDraw,
  type DrawInput,
  type DrawRecord,
} from '../../src/modules/draw/record.js';
import { sm3Node } from '../../src/modules/draw/sm3-node.js';
import { TargetCategory } from '../../src/modules/targets/target-category.js';
import { chiSquareSurvival } from '../support/chi-square.js';

const REPO = resolve(import.meta.dirname, '../..');
const VECTOR_DIR = join(REPO, 'docs/draw-vectors');
const UPDATE = process.env.UPDATE_DRAW_VECTORS === '1';
const ZERO_HASH = '0'.repeat(64);

/** The browser path: sm-crypto-v2's pure-JS SM3 as a HashFn. */
const sm3Browser: HashFn = (data) => fromHex(sm3Js(data));

/** Seeds of the vectors and statistics: SM3 of a fixed text, so anyone can re-derive them. */
function seedFrom(text: string): Uint8Array {
  return sm3Node(utf8(text));
}

function poolTarget(id: string, stratum: string, extra: Partial<PoolTarget> = {}): PoolTarget {
  const [category, , departmentCode] = stratum.split('|') as [TargetCategory, string, string];
  return { id, stratum, category, departmentCode, relatedPersonIds: [], lastTeam: [], ...extra };
}

function inspector(id: string, extra: Partial<Inspector> = {}): Inspector {
  return {
    id,
    departmentCode: '350322510000',
    poolDepartmentCodes: [],
    certificateValidFrom: '2023-01-01',
    certificateValidTo: '2027-12-31',
    status: 'ACTIVE',
    qualifiedCategories: [TargetCategory.HOTEL, TargetCategory.INTERNET_CAFE, TargetCategory.PAWN],
    currentLoad: 0,
    ...extra,
  };
}

interface VectorSpec {
  name: string;
  description: string;
  targets: PoolTarget[];
  inspectors: Inspector[];
  relationships: Relationship[];
  params: DrawParams;
  seedText: string;
  entropy: string;
}

const HOTEL = 'HOTEL|A|350322510000';
const NET = 'INTERNET_CAFE|B|350322510000';
const PAWN = 'PAWN|C|350322520000';

/** The published test vectors; inputs are defined here, outputs come from the code and are frozen in docs/. */
const VECTORS: VectorSpec[] = [
  {
    name: 'basic',
    description:
      'Three strata, must-include ids in two of them, a quota above the stratum size, public entropy, ' +
      'recusal by target and by person, rotation, a joint pool, an inspector on leave and an expired certificate.',
    targets: [
      ...Array.from({ length: 10 }, (_, i) =>
        poolTarget(`T-350322-H${String(i + 1).padStart(2, '0')}`, HOTEL, {
          relatedPersonIds: i === 4 ? ['P-0005', 'P-0105'] : [`P-${String(i + 1).padStart(4, '0')}`],
          lastTeam: i % 3 === 0 ? ['I-001', 'I-004'] : [],
        }),
      ),
      ...['N01', 'N02', 'N03'].map((s) => poolTarget(`T-350322-${s}`, NET)),
      ...Array.from({ length: 6 }, (_, i) => poolTarget(`T-350322-P0${i + 1}`, PAWN)),
    ].reverse(),
    inspectors: [
      inspector('I-001'),
      inspector('I-002'),
      inspector('I-003', { currentLoad: 1 }),
      inspector('I-004', { qualifiedCategories: [TargetCategory.HOTEL] }),
      inspector('I-005', { status: 'ON_LEAVE' }),
      inspector('I-006', { certificateValidTo: '2025-06-15' }),
      inspector('I-007', { departmentCode: '350322520000', currentLoad: 2 }),
      inspector('I-008', { departmentCode: '350322520000', poolDepartmentCodes: ['350322510000'] }),
      inspector('I-009', { departmentCode: '350322520000' }),
    ],
    relationships: [
      { inspectorId: 'I-002', targetId: 'T-350322-H01' },
      { inspectorId: 'I-003', personId: 'P-0005' },
      { inspectorId: 'I-999', personId: 'P-0001' },
    ],
    params: {
      planId: 'PLAN-2025-Q2-001',
      plannedDate: '2025-06-16',
      quotas: [
        { stratum: PAWN, quota: 2 },
        { stratum: HOTEL, quota: 3 },
        { stratum: NET, quota: 5 },
      ],
      mustInclude: ['T-350322-P03', 'T-350322-H07'],
      teamSize: 2,
      workloadCap: 5,
    },
    seedText: 'shuangsui draw test vector: basic',
    entropy: '2025068期 福彩3D 4 7 1',
  },
  {
    name: 'unicode',
    description:
      'Non-ASCII ids and strata, including a character above U+FFFF whose UTF-8 order differs from ' +
      'JavaScript string order; no public entropy; team size 3.',
    targets: [
      poolTarget('旅馆-001', 'HOTEL|甲|350322510000'),
      poolTarget('旅馆-002', 'HOTEL|甲|350322510000'),
      poolTarget('旅馆-003', 'HOTEL|甲|350322510000'),
      poolTarget('A-\u{1D7D8}01', 'HOTEL|甲|350322510000'),
      poolTarget('A-\uFF0302', 'HOTEL|甲|350322510000'),
      poolTarget('A-é03', 'INTERNET_CAFE|乙|350322510000'),
      poolTarget('A-e04', 'INTERNET_CAFE|乙|350322510000'),
      poolTarget('Z-005', 'INTERNET_CAFE|乙|350322510000'),
    ],
    inspectors: [
      inspector('警-甲'),
      inspector('警-乙'),
      inspector('警-丙'),
      inspector('I-\u{1D7D8}'),
      inspector('I-\uFF03'),
    ],
    relationships: [],
    params: {
      planId: '计划-2025-07',
      plannedDate: '2025-07-01',
      quotas: [
        { stratum: 'HOTEL|甲|350322510000', quota: 2 },
        { stratum: 'INTERNET_CAFE|乙|350322510000', quota: 1 },
      ],
      mustInclude: [],
      teamSize: 3,
      workloadCap: 2,
    },
    seedText: 'shuangsui draw test vector: unicode',
    entropy: '',
  },
  {
    name: 'infeasible',
    description:
      'Three inspectors, team size 2 and a workload cap of 1: the second target in draw order cannot be ' +
      'staffed and the record says so (constraint WORKLOAD).',
    targets: [poolTarget('T-1', HOTEL), poolTarget('T-2', HOTEL), poolTarget('T-3', HOTEL)],
    inspectors: [inspector('I-1'), inspector('I-2'), inspector('I-3')],
    relationships: [],
    params: {
      planId: 'PLAN-INFEASIBLE',
      plannedDate: '2025-06-16',
      quotas: [{ stratum: HOTEL, quota: 2 }],
      mustInclude: [],
      teamSize: 2,
      workloadCap: 1,
    },
    seedText: 'shuangsui draw test vector: infeasible',
    entropy: 'public entropy',
  },
];

function inputOf(spec: VectorSpec, hash: HashFn = sm3Node): DrawInput {
  return {
    targetPool: freezeTargetPool(spec.targets, hash),
    inspectorPool: freezeInspectorPool(spec.inspectors, spec.relationships, hash),
    params: canonicaliseParams(spec.params),
    seed: seedFrom(spec.seedText),
    entropy: spec.entropy,
  };
}

function recordOf(spec: VectorSpec): DrawRecord & { description: string; seedDerivation: string } {
  return {
    description: spec.description,
    seedDerivation: `seed = SM3(UTF-8(${JSON.stringify(spec.seedText)}))`,
    ...buildDrawRecord(inputOf(spec), sm3Node),
  };
}

function primitives(): Record<string, unknown> {
  const spec = VECTORS[0] as VectorSpec;
  const input = inputOf(spec);
  const params = hashParams(spec.params, sm3Node);
  const key = deriveKey(
    {
      seed: input.seed,
      entropy: spec.entropy,
      targetPoolHash: input.targetPool.hash,
      inspectorPoolHash: input.inspectorPool.hash,
      paramsHash: params.hash,
    },
    sm3Node,
  );
  const words = (label: string, count: number): number[] => {
    const stream = new DrawStream(key, label, sm3Node);
    return Array.from({ length: count }, () => stream.nextWord());
  };
  const uniform = (label: string, n: number, count: number) => {
    const stream = new DrawStream(key, label, sm3Node);
    const consumed: number[] = [];
    const source: WordSource = {
      nextWord: () => {
        const w = stream.nextWord();
        consumed.push(w);
        return w;
      },
    };
    const values = Array.from({ length: count }, () => uniformInt(source, n));
    return { label, n, values, wordsConsumed: consumed };
  };
  return {
    description:
      'Intermediate values of the "basic" vector and SM3 sanity values, for re-implementers. ' +
      'Byte strings are hex; canonical texts are given as JSON strings (\\t = TAB, \\n = LF).',
    sm3: [
      { utf8: 'abc', hash: toHex(sm3Node(utf8('abc'))) },
      { utf8: 'abcd'.repeat(16), hash: toHex(sm3Node(utf8('abcd'.repeat(16)))) },
      { utf8: '', hash: toHex(sm3Node(utf8(''))) },
    ],
    seed: toHex(input.seed),
    commitment: commitSeed(input.seed, sm3Node),
    entropy: spec.entropy,
    entropyHash: toHex(sm3Node(utf8(spec.entropy))),
    targetPoolCanonical: new TextDecoder().decode(input.targetPool.canonical),
    targetPoolHash: input.targetPool.hash,
    inspectorPoolCanonical: new TextDecoder().decode(input.inspectorPool.canonical),
    inspectorPoolHash: input.inspectorPool.hash,
    paramsCanonical: params.canonical,
    paramsHash: params.hash,
    key: toHex(key),
    streams: [
      {
        label: selectionLabel(HOTEL),
        block0: toHex(sm3Node(concat(key, utf8(selectionLabel(HOTEL)), new Uint8Array(8)))),
        words: words(selectionLabel(HOTEL), 12),
      },
      { label: assignmentLabel('T-350322-H07'), words: words(assignmentLabel('T-350322-H07'), 4) },
    ],
    uniformInt: [uniform('TEST\u0000uniform', 10, 10), uniform('TEST\u0000uniform', 3 * 2 ** 30, 10)],
  };
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function checkVector(file: string, generated: unknown): void {
  const path = join(VECTOR_DIR, file);
  if (UPDATE) writeFileSync(path, `${JSON.stringify(generated, null, 2)}\n`);
  expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual(generated);
}

describe('published test vectors (docs/draw-vectors/)', () => {
  for (const spec of VECTORS) {
    it(`${spec.name}.json is reproduced exactly`, () => checkVector(`${spec.name}.json`, recordOf(spec)));
  }
  it('primitives.json is reproduced exactly', () => checkVector('primitives.json', primitives()));

  it('the pure-JS SM3 (browser) gives the same records as Node', () => {
    for (const spec of VECTORS) {
      expect(buildDrawRecord(inputOf(spec, sm3Browser), sm3Browser)).toEqual(
        buildDrawRecord(inputOf(spec), sm3Node),
      );
    }
  });
});

describe('SM3 and encodings', () => {
  it('matches the GB/T 32905 examples', () => {
    expect(toHex(sm3Node(utf8('abc')))).toBe(
      '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0',
    );
    expect(toHex(sm3Node(utf8('abcd'.repeat(16))))).toBe(
      'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732',
    );
  });

  it('compareUtf8 is UTF-8 byte order, also where UTF-16 order differs', () => {
    const texts = [
      'a',
      'ab',
      'b',
      'é',
      '\uFF03',
      '\u{1D7D8}',
      '\u{1D7D8}a',
      '中',
      '\uE000',
      '\uD7FF',
      'Z',
      '',
    ];
    const byBytes = [...texts].sort((x, y) => Buffer.compare(Buffer.from(x, 'utf8'), Buffer.from(y, 'utf8')));
    expect([...texts].sort(compareUtf8)).toEqual(byBytes);
    expect(compareUtf8('\uFF03', '\u{1D7D8}')).toBeLessThan(0);
    expect('\uFF03' < '\u{1D7D8}').toBe(false);
  });
});

describe('freezing', () => {
  const spec = VECTORS[0] as VectorSpec;

  it('the pool hash does not depend on input order or on list order within a target', () => {
    const shuffled = [...spec.targets].reverse().map((t) => ({ ...t, lastTeam: [...t.lastTeam].reverse() }));
    expect(freezeTargetPool(shuffled, sm3Node).hash).toBe(freezeTargetPool(spec.targets, sm3Node).hash);
    const pool = freezeInspectorPool(
      [...spec.inspectors].reverse(),
      [...spec.relationships].reverse(),
      sm3Node,
    );
    expect(pool.hash).toBe(freezeInspectorPool(spec.inspectors, spec.relationships, sm3Node).hash);
  });

  it('serialises each target as one TAB-separated line in UTF-8 id order', () => {
    const pool = freezeTargetPool(
      [poolTarget('B', HOTEL, { relatedPersonIds: ['P2', 'P1'], lastTeam: ['I-9'] }), poolTarget('A', NET)],
      sm3Node,
    );
    expect(new TextDecoder().decode(pool.canonical)).toBe(
      `A\t${NET}\tINTERNET_CAFE\t350322510000\t0\t0\n` +
        `B\t${HOTEL}\tHOTEL\t350322510000\t2\tP1\tP2\t1\tI-9\n`,
    );
    expect(pool.hash).toBe(toHex(sm3Node(pool.canonical)));
  });

  it('hashes the same bytes whether fed in 1 MiB chunks (incremental) or in one piece', () => {
    // ~40,000 lines (> 3 MiB) cross chunk boundaries; some ids and persons are non-ASCII.
    const targets: PoolTarget[] = [];
    for (let i = 0; i < 40_000; i++) {
      targets.push(
        poolTarget(`T-${String(i).padStart(6, '0')}${i % 997 === 0 ? '-场所𠀀' : ''}`, i % 3 ? HOTEL : NET, {
          relatedPersonIds: i % 5 === 0 ? [`P-${i}`, `人-${i}`] : [],
          lastTeam: i % 7 === 0 ? ['I-1', 'I-2'] : [],
        }),
      );
    }
    const oneShot: HashFn = (data) => sm3Node(data);
    expect(oneShot.incremental).toBeUndefined();
    const chunked = freezeTargetPool(targets, sm3Node);
    const whole = freezeTargetPool(targets, oneShot);
    expect(chunked.hash).toBe(whole.hash);
    expect(Buffer.from(chunked.canonical).equals(whole.canonical)).toBe(true);
    const lines = new TextDecoder().decode(whole.canonical).split('\n');
    expect(lines).toHaveLength(40_001);
    expect(lines[1]).toBe(`T-000001\t${HOTEL}\tHOTEL\t350322510000\t0\t0`);
  });

  it('folds relationships into the inspector line and ignores inspectors outside the pool', () => {
    const pool = freezeInspectorPool(
      [
        inspector('I-1', {
          poolDepartmentCodes: ['350322520000'],
          qualifiedCategories: [TargetCategory.PAWN],
        }),
      ],
      [
        { inspectorId: 'I-1', targetId: 'T-9', personId: 'P-9' },
        { inspectorId: 'I-1', personId: 'P-1' },
        { inspectorId: 'I-404', targetId: 'T-1' },
      ],
      sm3Node,
    );
    expect(new TextDecoder().decode(pool.canonical)).toBe(
      'I-1\t350322510000\tACTIVE\t2023-01-01\t2027-12-31\t0\t1\t350322520000\t1\tPAWN\t1\tT-9\t2\tP-1\tP-9\n',
    );
  });

  it('refuses malformed pools, naming the field', () => {
    const bad: [PoolTarget[], RegExp][] = [
      [[], /at least one target/],
      [[poolTarget('A', HOTEL), poolTarget('A', NET)], /duplicate target id "A"/],
      [[poolTarget('A\tB', HOTEL)], /targetPool\[0\]\.id/],
      [[poolTarget('A', '')], /targetPool\[id=A\]\.stratum/],
      [[{ ...poolTarget('A', HOTEL), category: 'CASINO' as TargetCategory }], /targetPool\[id=A\]\.category/],
      [[poolTarget('A\uD800', HOTEL)], /lone surrogates/],
    ];
    for (const [targets, message] of bad) {
      expect(() => freezeTargetPool(targets, sm3Node)).toThrow(message);
    }
    expect(() => freezeInspectorPool([inspector('I-1'), inspector('I-1')], [], sm3Node)).toThrow(/duplicate/);
    expect(() =>
      freezeInspectorPool([inspector('I-1', { certificateValidTo: '2025-02-30' })], [], sm3Node),
    ).toThrow(/certificateValidTo/);
    expect(() => freezeInspectorPool([inspector('I-1')], [{ inspectorId: 'I-1' }], sm3Node)).toThrow(
      /relationships\[0\]/,
    );
  });

  it('canonicalises params to JSON with sorted keys, sorted quotas and sorted must-include ids', () => {
    const { canonical } = hashParams(spec.params, sm3Node);
    expect(canonical).toBe(
      '{"mustInclude":["T-350322-H07","T-350322-P03"],"planId":"PLAN-2025-Q2-001","plannedDate":"2025-06-16",' +
        `"quotas":[{"quota":3,"stratum":"${HOTEL}"},{"quota":5,"stratum":"${NET}"},{"quota":2,"stratum":"${PAWN}"}],` +
        '"teamSize":2,"workloadCap":5}',
    );
  });

  it('refuses bad params, naming the field', () => {
    const cases: [Partial<DrawParams>, string][] = [
      [{ teamSize: 1 }, 'params.teamSize'],
      [{ plannedDate: '2025-13-01' }, 'params.plannedDate'],
      [{ quotas: [{ stratum: HOTEL, quota: -1 }] }, 'params.quotas[0].quota'],
      [
        {
          quotas: [
            { stratum: HOTEL, quota: 1 },
            { stratum: HOTEL, quota: 2 },
          ],
        },
        'params.quotas',
      ],
      [{ mustInclude: ['X', 'X'] }, 'params.mustInclude'],
    ];
    for (const [override, field] of cases) {
      let error: unknown;
      try {
        canonicaliseParams({ ...spec.params, ...override });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DrawInputError);
      expect((error as DrawInputError).field).toBe(field);
    }
    const pool = freezeTargetPool(spec.targets, sm3Node);
    const key = new Uint8Array(32);
    expect(() =>
      selectTargets(pool, { ...spec.params, quotas: [{ stratum: 'HOTEL|Z|0', quota: 1 }] }, key, sm3Node),
    ).toThrow(/no target of the pool is in stratum/);
    expect(() => selectTargets(pool, { ...spec.params, mustInclude: ['T-404'] }, key, sm3Node)).toThrow(
      /params\.mustInclude\[0\]: target "T-404" is not in the pool/,
    );
  });
});

describe('stream and unbiased integers', () => {
  it('block i = SM3(key ‖ label ‖ uint64be(i)), eight big-endian words per block', () => {
    const key = seedFrom('stream key');
    const stream = new DrawStream(key, 'SELECT\u0000X', sm3Node);
    const words = Array.from({ length: 16 }, () => stream.nextWord());
    for (const i of [0, 1]) {
      const counter = new Uint8Array(8);
      counter[7] = i;
      const block = sm3Node(concat(key, utf8('SELECT\u0000X'), counter));
      const view = new DataView(block.buffer, block.byteOffset, 32);
      expect(words.slice(8 * i, 8 * i + 8)).toEqual(
        Array.from({ length: 8 }, (_, j) => view.getUint32(4 * j)),
      );
    }
  });

  it('rejects words at or above floor(2^32 / n)·n and consumes none for n = 1', () => {
    const scripted = (words: number[]): WordSource & { used: number } => {
      const source = { used: 0, nextWord: () => words[source.used++] as number };
      return source;
    };
    const n = 3 * 2 ** 30;
    const source = scripted([n, 2 ** 32 - 1, n - 1]);
    expect(uniformInt(source, n)).toBe(n - 1);
    expect(source.used).toBe(3);
    const small = scripted([4294967295, 4294967294, 4294967293, 12]);
    // n = 10: limit = 4294967290, so the first three words are rejected.
    expect(uniformInt(small, 10)).toBe(2);
    expect(small.used).toBe(4);
    const none = scripted([]);
    expect(uniformInt(none, 1)).toBe(0);
    expect(none.used).toBe(0);
    expect(() => uniformInt(none, 0)).toThrow(RangeError);
    expect(() => uniformInt(none, 2 ** 32 + 1)).toThrow(RangeError);
  });

  it('shows no modulo bias where naive modulo is grossly biased (n = 3·2^30)', () => {
    // Naive w mod n maps both [0, 2^30) and [3·2^30, 2^32) onto [0, 2^30): the first third gets 1/2.
    const n = 3 * 2 ** 30;
    const samples = 30_000;
    const stream = new DrawStream(seedFrom('modulo bias test'), 'TEST\u0000bias', sm3Node);
    const raw: number[] = [];
    const source: WordSource = {
      nextWord: () => {
        const w = stream.nextWord();
        raw.push(w);
        return w;
      },
    };
    const fair = [0, 0, 0];
    for (let i = 0; i < samples; i++) fair[Math.floor(uniformInt(source, n) / 2 ** 30)]!++;
    const naive = [0, 0, 0];
    for (const w of raw.slice(0, samples)) naive[Math.floor((w % n) / 2 ** 30)]!++;
    const chi = (observed: number[]) =>
      chiSquareSurvival(
        observed.reduce((acc, o) => acc + (o - samples / 3) ** 2 / (samples / 3), 0),
        2,
      );
    expect(chi(fair)).toBeGreaterThan(0.01);
    expect(chi(naive)).toBeLessThan(1e-12);
    expect(naive[0]! / samples).toBeGreaterThan(0.48);
    // About a quarter of the words are rejected.
    expect(raw.length / samples).toBeGreaterThan(1.3);
    expect(raw.length / samples).toBeLessThan(1.37);
  });

  it('our χ² tail function agrees with tabulated values', () => {
    expect(chiSquareSurvival(36.191, 19)).toBeCloseTo(0.01, 4);
    expect(chiSquareSurvival(30.144, 19)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(2, 2)).toBeCloseTo(Math.exp(-1), 10);
    expect(chiSquareSurvival(9.21, 2)).toBeCloseTo(0.01, 4);
    expect(chiSquareSurvival(3.841, 1)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(23.209, 10)).toBeCloseTo(0.01, 4);
  });
});

describe('selection', () => {
  const spec = VECTORS[0] as VectorSpec;
  const input = inputOf(spec);

  it('selects must-include ids first, then min(quota, remaining) distinct ids of the stratum', () => {
    const { result } = computeDraw(input, sm3Node);
    const byStratum = new Map(result.strata.map((s) => [s.stratum, s]));
    expect([...byStratum.keys()]).toEqual([HOTEL, NET, PAWN]);
    expect(byStratum.get(HOTEL)).toMatchObject({ size: 10, quota: 3, mustInclude: ['T-350322-H07'] });
    expect(byStratum.get(HOTEL)?.drawn).toHaveLength(3);
    expect(byStratum.get(HOTEL)?.drawn).not.toContain('T-350322-H07');
    expect(byStratum.get(NET)).toMatchObject({ size: 3, quota: 5, mustInclude: [] });
    expect([...(byStratum.get(NET)?.drawn ?? [])].sort()).toEqual([
      'T-350322-N01',
      'T-350322-N02',
      'T-350322-N03',
    ]);
    expect(byStratum.get(PAWN)).toMatchObject({ size: 6, quota: 2, mustInclude: ['T-350322-P03'] });
    for (const s of result.strata) {
      expect(new Set([...s.mustInclude, ...s.drawn]).size).toBe(s.mustInclude.length + s.drawn.length);
      for (const id of s.drawn) expect(spec.targets.find((t) => t.id === id)?.stratum).toBe(s.stratum);
    }
  });

  it('is deterministic: same inputs give byte-identical JSON', () => {
    const a = JSON.stringify(computeDraw(inputOf(spec), sm3Node));
    const b = JSON.stringify(
      computeDraw(inputOf({ ...spec, targets: [...spec.targets].reverse() }), sm3Node),
    );
    expect(b).toBe(a);
  });

  it('is deterministic across processes (npx tsx in a child process)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'draw-determinism-'));
    try {
      const script = join(dir, 'recompute.mts');
      const url = (path: string) => pathToFileURL(join(REPO, path)).href;
      writeFileSync(
        script,
        [
          `import { readFileSync } from 'node:fs';`,
          `import { freezeInspectorPool, freezeTargetPool, fromHex } from '${url('src/modules/draw/algorithm.ts')}';`,
          `import { computeDraw } from '${url('src/modules/draw/record.ts')}';`,
          `import { sm3Node } from '${url('src/modules/draw/sm3-node.ts')}';`,
          `const r = JSON.parse(readFileSync(process.argv[2], 'utf8'));`,
          `const out = computeDraw({ targetPool: freezeTargetPool(r.targetPool, sm3Node),`,
          `  inspectorPool: freezeInspectorPool(r.inspectorPool, [], sm3Node), params: r.params,`,
          `  seed: fromHex(r.seed), entropy: r.entropy }, sm3Node);`,
          `process.stdout.write(JSON.stringify(out.result));`,
        ].join('\n'),
      );
      const child = spawnSync('npx', ['tsx', script, join(VECTOR_DIR, 'basic.json')], {
        cwd: REPO,
        encoding: 'utf8',
      });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(child.stdout).toBe(JSON.stringify(computeDraw(input, sm3Node).result));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('different seeds give different results; the entropy changes the result too', () => {
    const targets = Array.from({ length: 100 }, (_, i) =>
      poolTarget(`T${String(i).padStart(3, '0')}`, HOTEL),
    );
    const pool = freezeTargetPool(targets, sm3Node);
    const params: DrawParams = { ...spec.params, quotas: [{ stratum: HOTEL, quota: 10 }], mustInclude: [] };
    const drawWith = (seedText: string, entropy: string) =>
      JSON.stringify(
        selectTargets(
          pool,
          params,
          deriveKey(
            {
              seed: seedFrom(seedText),
              entropy,
              targetPoolHash: pool.hash,
              inspectorPoolHash: ZERO_HASH,
              paramsHash: ZERO_HASH,
            },
            sm3Node,
          ),
          sm3Node,
        ),
      );
    const results = new Set(Array.from({ length: 200 }, (_, i) => drawWith(`different seed ${i}`, '')));
    expect(results.size).toBe(200);
    expect(drawWith('s', '12 34 56')).not.toBe(drawWith('s', '12 34 57'));
    expect(drawWith('s', '')).not.toBe(drawWith('s', ' '));
  });

  /**
   * Per-id inclusion counts over T draws of k from N without replacement have variance
   * v = T·k(N−k)/N² and covariance −v/(N−1) (their sum is fixed). The statistic
   * Σ(o−e)² · N(N−1) / (T·k(N−k)) is then asymptotically χ²(N−1). Pearson's Σ(o−e)²/e would
   * understate it by (N−k)/(N−1) and make the test too lenient.
   * Seeds are SM3("chi-square seed <i>"), i = 0…T−1: fixed in advance, not searched.
   */
  function inclusionPValue(counts: Map<string, number>, draws: number, k: number): number {
    const n = counts.size;
    const expected = (draws * k) / n;
    const sumSquares = [...counts.values()].reduce((acc, o) => acc + (o - expected) ** 2, 0);
    return chiSquareSurvival((sumSquares * n * (n - 1)) / (draws * k * (n - k)), n - 1);
  }

  function runDraws(pool: FrozenTargetPool, params: DrawParams, draws: number, tag: string) {
    const counts = new Map<string, Map<string, number>>();
    for (const t of pool.targets) {
      if (!counts.has(t.stratum)) counts.set(t.stratum, new Map());
      counts.get(t.stratum)?.set(t.id, 0);
    }
    for (let i = 0; i < draws; i++) {
      const key = deriveKey(
        {
          seed: seedFrom(`chi-square seed ${tag} ${i}`),
          entropy: '',
          targetPoolHash: pool.hash,
          inspectorPoolHash: ZERO_HASH,
          paramsHash: ZERO_HASH,
        },
        sm3Node,
      );
      for (const s of selectTargets(pool, params, key, sm3Node)) {
        const quota = params.quotas.find((q) => q.stratum === s.stratum)?.quota ?? 0;
        expect(s.drawn).toHaveLength(Math.min(quota, s.size - s.mustInclude.length));
        const c = counts.get(s.stratum) as Map<string, number>;
        for (const id of s.drawn) c.set(id, (c.get(id) as number) + 1);
      }
    }
    return counts;
  }

  it('inclusion is uniform within a stratum: 2,000 draws of 5 from 20 (χ², p > 0.01)', () => {
    const pool = freezeTargetPool(
      Array.from({ length: 20 }, (_, i) => poolTarget(`T${String(i).padStart(2, '0')}`, HOTEL)),
      sm3Node,
    );
    const params: DrawParams = { ...spec.params, quotas: [{ stratum: HOTEL, quota: 5 }], mustInclude: [] };
    const counts = runDraws(pool, params, 2000, 'one-stratum').get(HOTEL) as Map<string, number>;
    expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(inclusionPValue(counts, 2000, 5)).toBeGreaterThan(0.01);
  });

  it('inclusion is uniform within each of two strata, must-include excluded (χ², p > 0.01)', () => {
    const targets = [
      ...Array.from({ length: 12 }, (_, i) => poolTarget(`A${String(i).padStart(2, '0')}`, HOTEL)),
      ...Array.from({ length: 30 }, (_, i) => poolTarget(`B${String(i).padStart(2, '0')}`, PAWN)),
    ];
    const pool = freezeTargetPool(targets, sm3Node);
    const params: DrawParams = {
      ...spec.params,
      quotas: [
        { stratum: HOTEL, quota: 3 },
        { stratum: PAWN, quota: 10 },
      ],
      mustInclude: ['B07'],
    };
    const counts = runDraws(pool, params, 2000, 'two-strata');
    const hotel = counts.get(HOTEL) as Map<string, number>;
    const pawn = counts.get(PAWN) as Map<string, number>;
    expect(pawn.get('B07')).toBe(0);
    pawn.delete('B07');
    expect(inclusionPValue(hotel, 2000, 3)).toBeGreaterThan(0.01);
    expect(inclusionPValue(pawn, 2000, 10)).toBeGreaterThan(0.01);
  });

  it('sanity at scale: 1,000,000 ids, 5% per stratum (not timed)', () => {
    const categories = [
      TargetCategory.HOTEL,
      TargetCategory.INTERNET_CAFE,
      TargetCategory.AUTO_REPAIR,
      TargetCategory.PAWN,
    ];
    const strata = categories.flatMap((c) => ['A', 'B', 'C'].map((g) => `${c}|${g}|350322510000`));
    const targets = Array.from({ length: 1_000_000 }, (_, i) =>
      poolTarget(`T${String(i).padStart(7, '0')}`, strata[i % strata.length] as string),
    );
    const pool = freezeTargetPool(targets, sm3Node);
    const params: DrawParams = {
      ...spec.params,
      quotas: strata.map((stratum) => ({ stratum, quota: Math.ceil(1_000_000 / strata.length / 20) })),
      mustInclude: [],
    };
    const result = selectTargets(pool, params, seedFrom('scale'), sm3Node);
    const drawn = result.flatMap((s) => s.drawn);
    expect(drawn).toHaveLength(12 * 4167);
    expect(new Set(drawn).size).toBe(drawn.length);
    for (const s of result)
      for (const id of s.drawn.slice(0, 50))
        expect(strata[Number(id.slice(1)) % strata.length]).toBe(s.stratum);
  });
});
