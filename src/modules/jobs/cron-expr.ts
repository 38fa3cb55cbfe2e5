/**
 * A five-field cron matcher (minute hour day-of-month month day-of-week), evaluated in a fixed
 * UTC offset (the bureau's Asia/Shanghai, +08:00, has no DST). Supports `*`, lists, ranges and
 * steps. Used to find the latest scheduled slot so a missed run is caught up exactly once.
 */
export class CronExpr {
  private readonly fields: Set<number>[];
  private readonly domStar: boolean;
  private readonly dowStar: boolean;

  constructor(
    readonly source: string,
    private readonly offsetMinutes = 480,
  ) {
    const parts = source.trim().split(/\s+/);
    if (parts.length !== 5)
      throw new Error(`cron "${source}": expected 5 fields (minute hour dom month dow)`);
    const ranges: [number, number][] = [
      [0, 59],
      [0, 23],
      [1, 31],
      [1, 12],
      [0, 7],
    ];
    this.fields = parts.map((p, i) => parseField(p, ranges[i]![0], ranges[i]![1], source));
    if (this.fields[4]!.has(7)) this.fields[4]!.add(0);
    this.domStar = parts[2] === '*';
    this.dowStar = parts[4] === '*';
  }

  /** True when the minute starting at `d` is a scheduled slot. */
  matches(d: Date): boolean {
    const t = new Date(d.getTime() + this.offsetMinutes * 60_000);
    const [mi, h, dom, mo, dow] = this.fields as [
      Set<number>,
      Set<number>,
      Set<number>,
      Set<number>,
      Set<number>,
    ];
    if (!mi.has(t.getUTCMinutes()) || !h.has(t.getUTCHours()) || !mo.has(t.getUTCMonth() + 1)) return false;
    const domOk = dom.has(t.getUTCDate());
    const dowOk = dow.has(t.getUTCDay());
    // Vixie cron: when both day fields are restricted, either may match.
    if (!this.domStar && !this.dowStar) return domOk || dowOk;
    return domOk && dowOk;
  }

  /** The latest slot at or before `now` within `lookbackDays`, or null. */
  previous(now: Date, lookbackDays = 62): Date | null {
    let t = Math.floor(now.getTime() / 60_000) * 60_000;
    const stop = t - lookbackDays * 86_400_000;
    for (; t >= stop; t -= 60_000) if (this.matches(new Date(t))) return new Date(t);
    return null;
  }

  /** The next slot strictly after `now`, within a year, or null. */
  next(now: Date): Date | null {
    let t = Math.floor(now.getTime() / 60_000) * 60_000 + 60_000;
    const stop = t + 366 * 86_400_000;
    for (; t <= stop; t += 60_000) if (this.matches(new Date(t))) return new Date(t);
    return null;
  }
}

function parseField(field: string, min: number, max: number, src: string): Set<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!m) throw new Error(`cron "${src}": cannot read "${part}"`);
    const lo = m[1] === '*' ? min : Number(m[1]);
    const hi = m[2] !== undefined ? Number(m[2]) : m[1] === '*' || m[3] ? max : lo;
    const step = m[3] ? Number(m[3]) : 1;
    if (lo < min || hi > max || lo > hi || step < 1)
      throw new Error(`cron "${src}": "${part}" is out of range ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}
