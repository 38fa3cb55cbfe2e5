import type { IncomingMessage, ServerResponse } from 'node:http';
import { encodeGb18030 } from '../source-kit/encoding.js';
import { RecordRandom, fakeIdNumber, fakeName, fakePhone } from '../source-kit/sim-random.js';
import { delay, send, sendTruncated, startSimServer, type RunningServer } from '../source-kit/sim-server.js';
import { OrderedSimStore } from '../source-kit/sim-store.js';
import { formatShanghai, toEpochMs } from '../source-kit/time.js';

/** A hotel as the simulated system holds it (field names follow the XML). */
export interface HotelSimRecord {
  id: string;
  updatedAt: string;
  status: '01' | '02' | '03';
  name: string;
  uscc: string;
  licenseNo: string;
  address: string;
  region: string;
  stationCode: string;
  stationName: string;
  legal: { name: string; idType: string; idNo: string; phone: string } | null;
  rooms: number;
  beds: number;
  star: number;
  foreign: boolean;
  blacklisted: boolean;
  compliance: { registrationRate: string; unregisteredGuests30d: number; uploadDelayHours30d: string } | null;
  geo: { lat: string; lng: string } | null;
}

/** Faults the hotel simulator can inject; counters decrement per request. */
export interface HotelSimFaults {
  /** Delay before every answer. */
  latencyMs?: number;
  /** The next N requests answer HTTP 503 (backup window). */
  http5xx?: number;
  /** The next N requests answer body code 5000 (busy). */
  busy?: number;
  /** The next N pages are cut mid-document (clean close, short Content-Length). */
  truncate?: number;
  /** The next N pages are cut mid-document by a connection reset. */
  reset?: number;
  /** The next N pages declare a hostile DOCTYPE. */
  doctype?: number;
  /** Every k-th hotel of each page is rendered with invalid fields (`Rooms`, `@status`). */
  malformedEvery?: number;
  /** Repeat the previous page's last hotel first and this page's first hotel last. */
  duplicates?: boolean;
  /** Reverse the hotels within each page. */
  outOfOrder?: boolean;
}

/** Options of `startHotelSimulator`. */
export interface HotelSimOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  apiKey: string;
  /** Explicit records (held in memory). */
  records?: HotelSimRecord[];
  /** Generated records, built on demand from (seed, index). */
  generate?: { count: number; seed: string | number };
  /** Clock for `update` stamps; default `Date.now`. */
  now?: () => number;
}

/** A running hotel simulator. */
export interface HotelSimulator extends RunningServer {
  setFaults(faults: HotelSimFaults): void;
  clearFaults(): void;
  /** Changes a hotel and bumps its `updatedAt` past every existing one. */
  update(id: string, patch: Partial<Omit<HotelSimRecord, 'id' | 'updatedAt'>>): HotelSimRecord;
  /** Adds (or replaces) a hotel, stamping `updatedAt` now unless given. */
  upsert(record: HotelSimRecord): void;
  get(id: string): HotelSimRecord | undefined;
  /** Number of HTTP requests served. */
  readonly requests: number;
}

const GENERATED_BASE = Date.parse('2026-01-01T00:00:00+08:00');
const TOWNS = ['鲤城', '鲤南', '榜头', '郊尾', '枫亭', '度尾', '盖尾', '园庄'];
const KINDS = ['宾馆', '旅社', '大酒店', '客栈', '商务酒店'];
const STATIONS: [string, string][] = [
  ['350322510000', '鲤城派出所'],
  ['350322520000', '鲤南派出所'],
  ['350322530000', '榜头派出所'],
  ['350322540000', '枫亭派出所'],
];

/** Id of generated hotel i: 13 characters; every 50th starts with `0`. */
export function generatedHotelId(index: number): string {
  return `${index % 50 === 7 ? '0' : '3'}50322${String(index).padStart(7, '0')}`;
}

function indexOfGeneratedHotelId(id: string): number | null {
  const m = /^[03]50322(\d{7})$/.exec(id);
  if (!m) return null;
  const i = Number(m[1]);
  return generatedHotelId(i) === id ? i : null;
}

/**
 * Generated hotel `index` of generator `seed`: deterministic, built on demand. Names include
 * `&` (rendered as CDATA) and now and then 𠀀 (U+20000, outside GBK); USCCs are sometimes
 * empty, lowercase or spaced; `updatedAt` = 2026-01-01T00:00:00+08:00 + index seconds.
 */
export function generateHotelSourceRecord(index: number, seed: string | number): HotelSimRecord {
  const r = new RecordRandom(`hotel:${seed}`, index);
  const [stationCode, stationName] = r.pick(STATIONS);
  const town = r.pick(TOWNS);
  const usccBody = `92350322MA${r.digits(7)}${r.pick(['X', '3', 'K', '0'])}`;
  const uscc = index % 9 === 4 ? '' : index % 31 === 5 ? ` ${usccBody.toLowerCase()} ` : usccBody;
  const rooms = r.int(5, 200);
  return {
    id: generatedHotelId(index),
    updatedAt: formatShanghai(GENERATED_BASE + index * 1000),
    status: r.chance(0.85) ? '01' : r.pick(['02', '03'] as const),
    name: `仙游县${town}${index}号${r.pick(KINDS)}${index % 13 === 3 ? '&会所' : ''}${index % 17 === 2 ? '𠀀' : ''}`,
    uscc,
    licenseNo: `闽公特旅字〔${2010 + (index % 15)}〕第${String(index % 10000).padStart(4, '0')}号`,
    address: `仙游县${town}镇${r.pick(['解放路', '八二五大街', '学府路', '东门街'])} ${r.int(1, 300)} 号`,
    region: '350322',
    stationCode,
    stationName,
    legal: {
      name: fakeName(r),
      idType: r.chance(0.95) ? '111' : '414',
      idNo: fakeIdNumber(r),
      phone: fakePhone(r),
    },
    rooms,
    beds: rooms * r.int(1, 3),
    star: r.chance(0.9) ? 0 : r.int(1, 5),
    foreign: r.chance(0.1),
    blacklisted: r.chance(0.02),
    compliance:
      index % 11 === 6
        ? null
        : {
            registrationRate: `0.${r.digits(2)}`,
            unregisteredGuests30d: r.int(0, 20),
            uploadDelayHours30d: `${r.int(0, 24)}.${r.int(0, 9)}`,
          },
    geo: index % 5 === 1 ? null : { lat: `25.${r.digits(4)}`, lng: `118.${r.digits(4)}` },
  };
}

/** Lazily yields `count` generated hotels (one object at a time). */
export function* generateHotelSourceRecords(count: number, seed: string | number): Generator<HotelSimRecord> {
  for (let i = 0; i < count; i++) yield generateHotelSourceRecord(i, seed);
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Text as CDATA when it holds markup characters, otherwise escaped. */
function text(s: string): string {
  return /[&<]/.test(s) && !s.includes(']]>') ? `<![CDATA[${s}]]>` : esc(s);
}

/** Renders one hotel element (`malformed` breaks two fields while keeping the XML well formed). */
export function renderHotelXml(h: HotelSimRecord, malformed = false): string {
  const legal = h.legal
    ? `<lg:Legal><lg:Name>${text(h.legal.name)}</lg:Name><lg:IdType>${esc(h.legal.idType)}</lg:IdType>` +
      `<lg:IdNo>${esc(h.legal.idNo)}</lg:IdNo><lg:Phone>${esc(h.legal.phone)}</lg:Phone></lg:Legal>`
    : '';
  const compliance = h.compliance
    ? `<lg:Compliance registrationRate="${esc(h.compliance.registrationRate)}" unregisteredGuests30d="${h.compliance.unregisteredGuests30d}" uploadDelayHours30d="${esc(h.compliance.uploadDelayHours30d)}"/>`
    : '';
  const geo = h.geo ? `<lg:Geo lat="${esc(h.geo.lat)}" lng="${esc(h.geo.lng)}"/>` : '';
  return (
    `<lg:Hotel id="${esc(h.id)}" updatedAt="${esc(h.updatedAt)}" status="${malformed ? '9' : h.status}">` +
    `<lg:Name>${text(h.name)}</lg:Name><lg:Uscc>${esc(h.uscc)}</lg:Uscc><lg:LicenseNo>${esc(h.licenseNo)}</lg:LicenseNo>` +
    `<lg:Address region="${esc(h.region)}">${text(h.address)}</lg:Address>` +
    `<lg:PoliceStation code="${esc(h.stationCode)}">${text(h.stationName)}</lg:PoliceStation>${legal}` +
    `<lg:Rooms>${malformed ? '四十二' : h.rooms}</lg:Rooms><lg:Beds>${h.beds}</lg:Beds><lg:Star>${h.star}</lg:Star>` +
    `<lg:Foreign>${h.foreign ? 'Y' : 'N'}</lg:Foreign><lg:Blacklisted>${h.blacklisted ? 'Y' : 'N'}</lg:Blacklisted>` +
    `${compliance}${geo}</lg:Hotel>`
  );
}

const XML_DECL = '<?xml version="1.0" encoding="GB18030"?>\n';
const NS = 'xmlns:lg="urn:gaj:lgxx:1.0"';

function errorXml(code: string, message: string): string {
  return `${XML_DECL}<lg:Response ${NS} code="${code}" message="${esc(message)}"/>`;
}

/**
 * Starts a simulator of the hotel system that follows `hotel-system.md`: GB18030 XML, `X-Api-Key`
 * (a wrong key answers 200 with code 1001), page/pageSize (cut to 500), inclusive `updatedSince`,
 * order by (updatedAt, id), `<lg:Hotels/>` past the end, and runtime-switchable faults.
 */
export async function startHotelSimulator(opts: HotelSimOptions): Promise<HotelSimulator> {
  const seed = opts.generate?.seed ?? 0;
  const store = new OrderedSimStore<HotelSimRecord>({
    generatedCount: opts.generate?.count ?? 0,
    baseAt: GENERATED_BASE,
    stepMs: 1000,
    generatedId: generatedHotelId,
    indexOfId: indexOfGeneratedHotelId,
    generate: (i) => generateHotelSourceRecord(i, seed),
    keyOf: (h) => ({ at: toEpochMs(h.updatedAt) ?? 0, id: h.id }),
  });
  for (const h of opts.records ?? []) store.put(h);
  const now = opts.now ?? Date.now;
  let faults: HotelSimFaults = {};
  let requests = 0;
  let lastStamp = Number.NEGATIVE_INFINITY;

  const stamp = (): string => {
    const floor = Math.max(now(), lastStamp + 1000, store.maxAt() + 1000);
    lastStamp = Math.ceil(floor / 1000) * 1000;
    return formatShanghai(lastStamp);
  };
  const take = (k: 'http5xx' | 'busy' | 'truncate' | 'reset' | 'doctype'): boolean => {
    const n = faults[k] ?? 0;
    if (n <= 0) return false;
    faults = { ...faults, [k]: n - 1 };
    return true;
  };
  const sendXml = (res: ServerResponse, xml: string): void =>
    send(res, 200, 'application/xml; charset=GB18030', encodeGb18030(xml));

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    if (faults.latencyMs) await delay(faults.latencyMs);
    const url = new URL(req.url ?? '/', 'http://sim');
    if (req.method !== 'GET' || url.pathname !== '/lgxx/v1/hotels') {
      send(res, 404, 'text/plain; charset=utf-8', 'not found');
      return;
    }
    if (take('http5xx')) {
      send(res, 503, 'text/html; charset=utf-8', '<html><body>503 Service Unavailable</body></html>');
      return;
    }
    if (req.headers['x-api-key'] !== opts.apiKey) return sendXml(res, errorXml('1001', 'API Key 无效'));
    if (take('busy')) return sendXml(res, errorXml('5000', '系统繁忙'));
    const pageRaw = url.searchParams.get('page') ?? '1';
    const sizeRaw = url.searchParams.get('pageSize') ?? '500';
    const sinceRaw = url.searchParams.get('updatedSince');
    const sinceMs = sinceRaw === null ? Number.NEGATIVE_INFINITY : toEpochMs(sinceRaw);
    if (!/^[1-9]\d{0,8}$/.test(pageRaw) || !/^[1-9]\d{0,8}$/.test(sizeRaw) || sinceMs === null) {
      return sendXml(res, errorXml('2001', '参数错误'));
    }
    const pageNo = Number(pageRaw);
    const size = Math.min(500, Number(sizeRaw));
    const lower = { at: sinceMs, id: '' };
    const total = store.countAfter(lower, true);
    const hotels: HotelSimRecord[] = [];
    for (const h of store.iterateAfter(lower, true, (pageNo - 1) * size)) {
      hotels.push(h);
      if (hotels.length >= size) break;
    }
    let rendered = hotels.map((h, k) =>
      renderHotelXml(h, !!faults.malformedEvery && (k + 1) % faults.malformedEvery === 0),
    );
    if (faults.duplicates && rendered.length > 0) {
      const prev = pageNo > 1 ? store.iterateAfter(lower, true, (pageNo - 1) * size - 1).next() : undefined;
      rendered = [
        ...(prev && !prev.done ? [renderHotelXml(prev.value)] : []),
        ...rendered,
        rendered[0] as string,
      ];
    }
    if (faults.outOfOrder) rendered.reverse();
    const body =
      rendered.length === 0 ? '<lg:Hotels/>' : `<lg:Hotels>\n    ${rendered.join('\n    ')}\n  </lg:Hotels>`;
    const doctype = take('doctype')
      ? '<!DOCTYPE lg:Response [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/steal">]>\n'
      : '';
    const xml =
      `${XML_DECL}${doctype}<lg:Response ${NS} code="0" message="成功">\n` +
      `  <lg:Page no="${pageNo}" size="${size}" total="${total}"/>\n  ${body}\n</lg:Response>\n`;
    const bytes = encodeGb18030(xml);
    if (take('truncate')) {
      send(res, 200, 'application/xml; charset=GB18030', bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      return;
    }
    if (take('reset')) {
      sendTruncated(res, 200, 'application/xml; charset=GB18030', bytes, Math.floor(bytes.length * 0.6));
      return;
    }
    send(res, 200, 'application/xml; charset=GB18030', bytes);
  };

  const server = await startSimServer(opts.port ?? 0, handler);
  return {
    ...server,
    setFaults(f) {
      faults = { ...faults, ...f };
    },
    clearFaults() {
      faults = {};
    },
    update(id, patch) {
      const current = store.get(id);
      if (!current) throw new Error(`hotel simulator: no hotel ${id}`);
      const next: HotelSimRecord = { ...current, ...patch, id, updatedAt: stamp() };
      store.put(next);
      return next;
    },
    upsert(record) {
      store.put(record.updatedAt ? record : { ...record, updatedAt: stamp() });
    },
    get: (id) => store.get(id),
    get requests() {
      return requests;
    },
  };
}
