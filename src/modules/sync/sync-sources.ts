import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEntertainmentAdapter } from '../../../adapters/entertainment/adapter.js';
import { entertainmentConfigSchema } from '../../../adapters/entertainment/schema.js';
import { startEntertainmentSimulator } from '../../../adapters/entertainment/simulator.js';
import { createHotelAdapter } from '../../../adapters/hotel/adapter.js';
import { HotelPageWorker } from '../../../adapters/hotel/page-pool.js';
import { hotelConfigSchema } from '../../../adapters/hotel/schema.js';
import { startHotelSimulator } from '../../../adapters/hotel/simulator.js';
import { createInternetCafeAdapter } from '../../../adapters/internet-cafe/adapter.js';
import { internetCafeConfigSchema } from '../../../adapters/internet-cafe/schema.js';
import { startInternetCafeSimulator } from '../../../adapters/internet-cafe/simulator.js';
import type { SourceAdapter, SourceLogger, SourceSystemId } from '../../../adapters/types.js';
import type { AppConfig } from '../../config/config.js';
import { generateDemoCounty } from '../demo/generator.js';
import { TargetCategory } from '../targets/target-category.js';

/** Where a source lives and how to authenticate to it (from config, or the demo simulators). */
export interface SourceEndpoints {
  hotel?: { url: string; apiKey: string };
  entertainment?: { url: string; clientId: string; clientSecret: string };
  'internet-cafe'?: { url: string; appId: string; secret: string };
}

/** An adapter with its schedule (null = on demand only). */
export interface ConfiguredSource {
  adapter: SourceAdapter<unknown>;
  cron: string | null;
  /** Releases what the adapter holds (the hotel adapter's page worker thread). */
  close?: () => Promise<void>;
}

/**
 * Builds the adapters that have a source: configured URLs first, the demo simulators' endpoints
 * for the rest. Config is validated by each adapter's schema (throws `CONFIG_INVALID` naming fields).
 */
export function buildSources(
  config: AppConfig['sync'],
  logger: SourceLogger,
  simulated: SourceEndpoints = {},
): ConfiguredSource[] {
  const out: ConfiguredSource[] = [];
  const hotel = config.hotel.url ? { url: config.hotel.url, apiKey: config.hotel.apiKey } : simulated.hotel;
  if (hotel) {
    const c = hotelConfigSchema({
      baseUrl: hotel.url,
      apiKey: hotel.apiKey,
      pageSize: config.hotel.pageSize,
    });
    // Pages are decoded and parsed in a worker thread while the engine writes the previous one.
    const pages = new HotelPageWorker();
    out.push({
      adapter: createHotelAdapter(c, {
        logger,
        processPage: (body) => pages.process(body),
      }) as SourceAdapter<unknown>,
      cron: config.hotel.schedule,
      close: () => pages.close(),
    });
  }
  const ent = config.entertainment.url
    ? {
        url: config.entertainment.url,
        clientId: config.entertainment.clientId,
        clientSecret: config.entertainment.clientSecret,
      }
    : simulated.entertainment;
  if (ent) {
    const c = entertainmentConfigSchema({
      baseUrl: ent.url,
      clientId: ent.clientId,
      clientSecret: ent.clientSecret,
      limit: config.entertainment.pageSize,
    });
    out.push({
      adapter: createEntertainmentAdapter(c, { logger }) as SourceAdapter<unknown>,
      cron: config.entertainment.schedule,
    });
  }
  const cafe = config.cafe.url
    ? { url: config.cafe.url, appId: config.cafe.appId, secret: config.cafe.secret }
    : simulated['internet-cafe'];
  if (cafe) {
    const c = internetCafeConfigSchema({
      baseUrl: cafe.url,
      appId: cafe.appId,
      secret: cafe.secret,
      max: config.cafe.pageSize,
      snapshotPageSize: config.cafe.pageSize,
    });
    out.push({
      adapter: createInternetCafeAdapter(c, { logger }) as SourceAdapter<unknown>,
      cron: config.cafe.schedule,
    });
  }
  return out;
}

/** The three running source simulators. */
export interface SourceSimulators {
  endpoints: Required<SourceEndpoints>;
  close(): Promise<void>;
}

/**
 * Starts the hotel, entertainment and internet-café simulators on ephemeral loopback ports, each
 * holding as many records as the demo county has targets of its category (plus one new one: the
 * generated record i carries the demo target i-1's source id), with fresh random credentials.
 */
export async function startSourceSimulators(opts: {
  demoScale: number;
  seed?: string;
}): Promise<SourceSimulators> {
  const seed = opts.seed ?? 'xianyou-demo';
  const counts = generateDemoCounty({ targets: opts.demoScale, inspectors: 0, seed }).categoryCounts;
  const secret = (): string => randomBytes(16).toString('hex');
  const hotelKey = secret();
  const entSecret = secret();
  const cafeSecret = secret();
  const hotel = await startHotelSimulator({
    apiKey: hotelKey,
    generate: { count: counts[TargetCategory.HOTEL] + 1, seed },
  });
  const ent = await startEntertainmentSimulator({
    clientId: 'shuangsui',
    clientSecret: entSecret,
    generate: { count: counts[TargetCategory.ENTERTAINMENT] + 1, seed },
  }).catch(async (e: unknown) => {
    await hotel.close();
    throw e;
  });
  const cafe = await startInternetCafeSimulator({
    appId: 'shuangsui',
    secret: cafeSecret,
    generate: { count: counts[TargetCategory.INTERNET_CAFE] + 1, seed },
  }).catch(async (e: unknown) => {
    await Promise.all([hotel.close(), ent.close()]);
    throw e;
  });
  return {
    endpoints: {
      hotel: { url: hotel.url, apiKey: hotelKey },
      entertainment: { url: ent.url, clientId: 'shuangsui', clientSecret: entSecret },
      'internet-cafe': { url: cafe.url, appId: 'shuangsui', secret: cafeSecret },
    },
    close: async () => {
      await Promise.allSettled([hotel.close(), ent.close(), cafe.close()]);
    },
  };
}

const ENDPOINTS_FILE = 'sync-simulators.json';

/** Lets `npm run sync` reach the simulators of a running demo (owner-only file, removed on stop). */
export function writeSimulatorEndpoints(dataDir: string, endpoints: SourceEndpoints): () => void {
  const file = path.join(dataDir, ENDPOINTS_FILE);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(endpoints) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return () => rmSync(file, { force: true });
}

/** The endpoints a running demo wrote, or none. */
export function readSimulatorEndpoints(dataDir: string): SourceEndpoints {
  const file = path.join(dataDir, ENDPOINTS_FILE);
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as SourceEndpoints;
}

/** Adapter ids in the order sources are listed. */
export const sourceIdsOf = (sources: ConfiguredSource[]): SourceSystemId[] =>
  sources.map((s) => s.adapter.id);
