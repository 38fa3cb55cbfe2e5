import { describe, expect, it } from 'vitest';

import {
  boostResolver,
  compareDecimal,
  type TargetSignals,
} from '../../src/modules/sampling/boost-resolver.js';
import type { BoostRule } from '../../src/modules/rules/schedule.js';
import { TargetCategory } from '../../src/modules/targets/target-category.js';

const base: TargetSignals = {
  category: 'HOTEL',
  complaints: 0,
  abnormal: false,
  serious: false,
  blacklisted: false,
  fire: false,
  key: false,
};

function rule(over: Partial<BoostRule>): BoostRule {
  return { code: 'B', signal: 'COMPLAINTS', effect: 'WEIGHT', description: '', seedClause: '', ...over };
}

describe('boostResolver', () => {
  const resolve = boostResolver([
    rule({ code: 'C3', signal: 'COMPLAINTS', threshold: 3, effect: 'FORCE_INCLUDE' }),
    rule({ code: 'W2', signal: 'COMPLAINTS', threshold: 1, weight: '2' }),
    rule({ code: 'W10', signal: 'ABNORMAL_LISTED', weight: '10', category: TargetCategory.HOTEL }),
    rule({ code: 'W25', signal: 'FIRE_INCIDENT', weight: '2.5' }),
  ]);

  it('applies thresholds, categories and the largest weight as an exact decimal', () => {
    expect(resolve(base)).toEqual({ force: false, weight: null });
    expect(resolve({ ...base, complaints: 2 })).toEqual({ force: false, weight: '2' });
    expect(resolve({ ...base, complaints: 7 })).toEqual({ force: true, weight: '2' });
    expect(resolve({ ...base, complaints: 1, fire: true })).toEqual({ force: false, weight: '2.5' });
    expect(resolve({ ...base, abnormal: true, fire: true })).toEqual({ force: false, weight: '10' });
    expect(resolve({ ...base, category: 'PAWN', abnormal: true })).toEqual({ force: false, weight: null });
  });

  it('compares decimals without floats', () => {
    expect(compareDecimal('10', '9.99')).toBeGreaterThan(0);
    expect(compareDecimal('2.50', '2.5')).toBe(0);
    expect(compareDecimal('0.1', '0.10000000000000001')).toBeLessThan(0);
    expect(compareDecimal('x', '1')).toBeNull();
  });
});
