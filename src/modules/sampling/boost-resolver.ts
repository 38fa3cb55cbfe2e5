import type { BoostRule } from '../rules/schedule.js';

/** Risk signals of one target as the pool query returns them. */
export interface TargetSignals {
  category: string;
  complaints: number;
  abnormal: boolean;
  serious: boolean;
  blacklisted: boolean;
  fire: boolean;
  key: boolean;
}

/** Effect of the BOOST rules on one target: forced inclusion and the largest WEIGHT (decimal string). */
export interface BoostEffect {
  force: boolean;
  weight: string | null;
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Compares two non-negative decimal strings exactly (no floats); `null` for anything else. */
export function compareDecimal(a: string, b: string): number | null {
  const x = DECIMAL.exec(a.trim());
  const y = DECIMAL.exec(b.trim());
  if (!x || !y) return null;
  const xi = (x[1] as string).replace(/^0+(?=\d)/, '');
  const yi = (y[1] as string).replace(/^0+(?=\d)/, '');
  if (xi.length !== yi.length) return xi.length - yi.length;
  if (xi !== yi) return xi < yi ? -1 : 1;
  const xf = (x[2] ?? '').replace(/0+$/, '');
  const yf = (y[2] ?? '').replace(/0+$/, '');
  const n = Math.max(xf.length, yf.length);
  const xp = xf.padEnd(n, '0');
  const yp = yf.padEnd(n, '0');
  return xp === yp ? 0 : xp < yp ? -1 : 1;
}

function applies(rule: BoostRule, t: TargetSignals): boolean {
  if (rule.category !== undefined && rule.category !== null && rule.category !== t.category) return false;
  switch (rule.signal) {
    case 'COMPLAINTS':
      return t.complaints >= (rule.threshold ?? 1);
    case 'ABNORMAL_LISTED':
      return t.abnormal;
    case 'SERIOUS_VIOLATION':
      return t.serious;
    case 'BLACKLISTED':
      return t.blacklisted;
    case 'FIRE_INCIDENT':
      return t.fire;
    case 'KEY_INSPECTION':
      return t.key;
    default:
      return false;
  }
}

/**
 * The BOOST rules in force as a lookup over a target's signals, evaluated once per distinct
 * combination (category × capped complaint count × flags) rather than once per target.
 * `weight` is the largest WEIGHT boost as written in its rule, compared as an exact decimal.
 */
export function boostResolver(boosts: readonly BoostRule[]): (t: TargetSignals) => BoostEffect {
  const cap = boosts.reduce((m, b) => (b.signal === 'COMPLAINTS' ? Math.max(m, b.threshold ?? 1) : m), 0);
  const cache = new Map<string, BoostEffect>();
  return (t) => {
    const key =
      `${t.category}|${Math.min(t.complaints, cap)}|${+t.abnormal}${+t.serious}` +
      `${+t.blacklisted}${+t.fire}${+t.key}`;
    let effect = cache.get(key);
    if (effect === undefined) {
      effect = { force: false, weight: null };
      for (const rule of boosts) {
        if (!applies(rule, t)) continue;
        if (rule.effect === 'FORCE_INCLUDE') effect.force = true;
        else if (rule.effect === 'WEIGHT' && rule.weight !== undefined) {
          const w = String(rule.weight);
          if (effect.weight === null || (compareDecimal(w, effect.weight) ?? 0) > 0) effect.weight = w;
        }
      }
      cache.set(key, effect);
    }
    return effect;
  };
}
