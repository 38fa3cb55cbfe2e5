import { describe, expect, it } from 'vitest';
import { freezeTargetPool, type PoolTarget } from '../../src/modules/draw/algorithm.js';
import { PackedPoolTarget } from '../../src/modules/draw/packed-target.js';
import { sm3Node } from '../../src/modules/draw/sm3-node.js';
import { TargetCategory } from '../../src/modules/targets/target-category.js';

function plain(t: PackedPoolTarget): PoolTarget {
  return JSON.parse(JSON.stringify(t)) as PoolTarget;
}

describe('PackedPoolTarget', () => {
  const packed = [
    new PackedPoolTarget('t1', 'HOTEL|A|350322510000', TargetCategory.HOTEL, 'ZA', 'p1\tp2', null),
    // Not canonical as given: unsorted, duplicated, non-ASCII — the general path must canonicalise.
    new PackedPoolTarget('t2', 'HOTEL|A|350322510000', TargetCategory.HOTEL, 'ZA', 'p9\tp1\tp1', 'i2\ti1'),
    new PackedPoolTarget('t3', 'HOTEL|B|350322510000', TargetCategory.HOTEL, 'ZA', '张三\tp1', ''),
    new PackedPoolTarget('t4', 'HOTEL|B|350322510000', TargetCategory.HOTEL, 'ZA', null, 'i1'),
  ];

  it('reads its TAB-joined lists as arrays and serialises to the plain shape', () => {
    expect(packed[0]!.relatedPersonIds).toEqual(['p1', 'p2']);
    expect(packed[3]!.relatedPersonIds).toEqual([]);
    expect(packed[2]!.lastTeam).toEqual([]);
    expect(plain(packed[1]!)).toEqual({
      id: 't2',
      stratum: 'HOTEL|A|350322510000',
      category: 'HOTEL',
      departmentCode: 'ZA',
      relatedPersonIds: ['p9', 'p1', 'p1'],
      lastTeam: ['i2', 'i1'],
    });
  });

  it('freezes to the same bytes and hash as the same pool of plain targets', () => {
    const a = freezeTargetPool(packed, sm3Node);
    const b = freezeTargetPool(packed.map(plain), sm3Node);
    expect(a.hash).toBe(b.hash);
    expect(Buffer.from(a.canonical).toString('utf8')).toBe(Buffer.from(b.canonical).toString('utf8'));
    expect(Buffer.from(a.canonical).toString('utf8').split('\n')[1]).toBe(
      't2\tHOTEL|A|350322510000\tHOTEL\tZA\t2\tp1\tp9\t2\ti1\ti2',
    );
    expect(a.targets[1]!.relatedPersonIds).toEqual(['p1', 'p9']);
  });
});
