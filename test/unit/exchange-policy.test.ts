import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  afterTransient,
  backoffSeconds,
  inMaintenance,
  shanghaiIso,
  uuidv7,
} from '../../src/modules/exchange/exchange-policy.js';

describe('exchange retry policy', () => {
  it('doubles from 30 s, caps at 1 h, jitters within [half, full] and honours Retry-After as a floor', () => {
    expect(backoffSeconds(1, undefined, () => 1)).toBe(30);
    expect(backoffSeconds(1, undefined, () => 0)).toBe(15);
    expect(backoffSeconds(2, undefined, () => 1)).toBe(60);
    expect(backoffSeconds(8, undefined, () => 1)).toBe(3600);
    expect(backoffSeconds(11, undefined, () => 1)).toBe(3600);
    expect(backoffSeconds(1, 900, () => 1)).toBe(900);
  });

  it('dead-letters at the 12th attempt and past 48 hours', () => {
    const createdAt = new Date('2026-11-25T00:00:00Z');
    expect(afterTransient({ attempts: 12, createdAt, now: createdAt }).kind).toBe('dead');
    expect(afterTransient({ attempts: 11, createdAt, now: createdAt }, () => 0).kind).toBe('retry');
    const late = new Date(createdAt.getTime() + 47.9 * 3600_000);
    expect(afterTransient({ attempts: 5, createdAt, now: late }, () => 1, DEFAULT_RETRY)).toMatchObject({
      kind: 'dead',
    });
  });
});

describe('maintenance windows (Asia/Shanghai)', () => {
  const windows = [{ from: '23:30', to: '00:30' }];
  it('matches across midnight and not outside', () => {
    expect(inMaintenance(windows, new Date('2026-11-25T15:45:00Z'))).toBe(true); // 23:45
    expect(inMaintenance(windows, new Date('2026-11-25T16:15:00Z'))).toBe(true); // 00:15
    expect(inMaintenance(windows, new Date('2026-11-25T16:30:00Z'))).toBe(false); // 00:30
    expect(inMaintenance([{ from: '02:00', to: '04:00' }], new Date('2026-11-25T19:00:00Z'))).toBe(true);
    expect(inMaintenance([{ from: 'bad', to: '04:00' }], new Date('2026-11-25T19:00:00Z'))).toBe(false);
  });
});

describe('ids and times', () => {
  it('makes time-ordered UUID v7 and +08:00 timestamps', () => {
    const a = uuidv7(1_700_000_000_000);
    const b = uuidv7(1_700_000_000_001);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a < b).toBe(true);
    expect(shanghaiIso(new Date('2026-11-25T07:00:00Z'))).toBe('2026-11-25T15:00:00+08:00');
  });
});
