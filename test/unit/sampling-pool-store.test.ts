import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  freezeInspectorPool,
  freezeTargetPool,
  type Inspector,
  type PoolTarget,
} from '../../src/modules/draw/algorithm.js';
import { PackedPoolTarget } from '../../src/modules/draw/packed-target.js';
import { sm3Node } from '../../src/modules/draw/sm3-node.js';
import { decodePools, encodePools } from '../../src/modules/sampling/pool-store.js';
import { TargetCategory } from '../../src/modules/targets/target-category.js';

const targets: PoolTarget[] = [
  {
    id: 't-002',
    stratum: 'HOTEL|A|350322510000',
    category: TargetCategory.HOTEL,
    departmentCode: 'ZA',
    relatedPersonIds: ['p2', 'p1'],
    lastTeam: ['i-1', 'i-2'],
  },
  {
    id: 't-001',
    stratum: 'HOTEL|A|350322510000|W2',
    category: TargetCategory.HOTEL,
    departmentCode: 'PCS-LC',
    relatedPersonIds: ['张三'],
    lastTeam: [],
  },
  {
    id: 't-003',
    stratum: 'INTERNET_CAFE|U|350322520000',
    category: TargetCategory.INTERNET_CAFE,
    departmentCode: 'ZA',
    relatedPersonIds: [],
    lastTeam: ['i-2'],
  },
];
const inspectors: Inspector[] = [
  {
    id: 'i-1',
    departmentCode: 'ZA',
    poolDepartmentCodes: [],
    certificateValidFrom: '2020-01-01',
    certificateValidTo: '2030-01-01',
    status: 'ACTIVE',
    qualifiedCategories: [TargetCategory.HOTEL],
    currentLoad: 0,
  },
];

describe('stored draw pools', () => {
  const frozenTargets = freezeTargetPool(targets, sm3Node);
  const frozenInspectors = freezeInspectorPool(inspectors, [{ inspectorId: 'i-1', personId: 'p1' }], sm3Node);

  it('round-trips through the canonical storage format with the same hashes', async () => {
    const stored = await decodePools(encodePools(frozenTargets, frozenInspectors));
    expect(stored.targetPool.every((t) => t instanceof PackedPoolTarget)).toBe(true);
    expect(JSON.parse(JSON.stringify(stored.targetPool))).toEqual(
      JSON.parse(JSON.stringify(frozenTargets.targets)),
    );
    expect(stored.inspectorPool).toEqual(JSON.parse(JSON.stringify(frozenInspectors.inspectors)));
    expect(freezeTargetPool(stored.targetPool, sm3Node).hash).toBe(frozenTargets.hash);
    expect(freezeInspectorPool(stored.inspectorPool, [], sm3Node).hash).toBe(frozenInspectors.hash);
    expect(stored.targetPool.map((t) => t.id)).toEqual(['t-001', 't-002', 't-003']);
    expect(stored.targetPool[0]!.relatedPersonIds).toEqual(['张三']);
  });

  it('reads rows written in the former JSON format', async () => {
    const legacy = gzipSync(
      JSON.stringify({ targetPool: frozenTargets.targets, inspectorPool: frozenInspectors.inspectors }),
    );
    const stored = await decodePools(legacy);
    expect(freezeTargetPool(stored.targetPool, sm3Node).hash).toBe(frozenTargets.hash);
  });

  it('parses a pool larger than one inflate chunk, lines split across chunks', async () => {
    const many: PoolTarget[] = Array.from({ length: 40_000 }, (_, i) => ({
      id: `t-${String(i).padStart(6, '0')}`,
      stratum: `HOTEL|${'ABC'[i % 3]}|35032251${String(i % 7).padStart(4, '0')}`,
      category: 'HOTEL' as TargetCategory,
      departmentCode: 'ZA',
      relatedPersonIds: i % 5 === 0 ? [] : [`p-${i}-a`, `p-${i}-b`, `人员-${i}`].sort(),
      lastTeam: i % 4 === 0 ? [`i-${i % 97}`, `i-${(i % 97) + 100}`] : [],
    }));
    const frozen = freezeTargetPool(many, sm3Node);
    const stored = await decodePools(encodePools(frozen, frozenInspectors));
    expect(stored.targetPool).toHaveLength(40_000);
    expect(freezeTargetPool(stored.targetPool, sm3Node).hash).toBe(frozen.hash);
    expect(stored.inspectorPool).toEqual(JSON.parse(JSON.stringify(frozenInspectors.inspectors)));
  });

  it('refuses bytes of neither format', async () => {
    await expect(decodePools(gzipSync('nonsense'))).rejects.toThrow(/unknown format/);
    await expect(decodePools(gzipSync('shuangsui-pools/2\nt-1\tS\n[]'))).rejects.toThrow(
      /malformed target line/,
    );
  });
});
