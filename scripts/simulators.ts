/**
 * Runs the hotel, entertainment and internet-café source simulators alone (`npm run simulators`),
 * seeded like the demo county (DEMO_SCALE), and prints where they listen and how to authenticate.
 * Ctrl-C stops them.
 *
 * `--bench N` (used by `npm run bench:sync`, which runs it as a child process so the simulators do
 * not share the measured process's event loop and memory): starts only the hotel simulator with N
 * generated hotels and the internet-café simulator with ⌈N/3⌉ generated sites (3 feed changes
 * each), with credentials `bench`, prints one JSON line `{"hotel":url,"cafe":url}` and runs until
 * its stdin closes or it is signalled.
 */
import { startHotelSimulator } from '../adapters/hotel/simulator.js';
import { startInternetCafeSimulator } from '../adapters/internet-cafe/simulator.js';
import { loadConfig } from '../src/config/config.js';
import { startSourceSimulators, writeSimulatorEndpoints } from '../src/modules/sync/sync-sources.js';

const benchArg = process.argv.indexOf('--bench');
if (benchArg > 0) {
  const n = Number(process.argv[benchArg + 1]);
  if (!Number.isInteger(n) || n < 1) {
    console.error('usage: tsx scripts/simulators.ts --bench <count>');
    process.exit(2);
  }
  const hotel = await startHotelSimulator({ apiKey: 'bench', generate: { count: n, seed: 'bench' } });
  const cafe = await startInternetCafeSimulator({
    appId: 'bench',
    secret: 'bench',
    generate: { count: Math.ceil(n / 3), seed: 'bench' },
  });
  const stop = async () => {
    await Promise.allSettled([hotel.close(), cafe.close()]);
    process.exit(0);
  };
  process.stdin.on('end', () => void stop());
  process.stdin.on('close', () => void stop());
  process.stdin.resume();
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.stdout.write(`${JSON.stringify({ hotel: hotel.url, cafe: cafe.url })}\n`);
} else {
  const config = loadConfig();
  const sims = await startSourceSimulators({ demoScale: config.demoScale });
  const forget = writeSimulatorEndpoints(config.dataDir, sims.endpoints);
  const e = sims.endpoints;
  console.log(`source simulators (demo scale ${config.demoScale}):`);
  console.log(`  hotel          ${e.hotel.url}  SYNC_HOTEL_API_KEY=${e.hotel.apiKey}`);
  console.log(
    `  entertainment  ${e.entertainment.url}  SYNC_ENTERTAINMENT_CLIENT_ID=${e.entertainment.clientId} SYNC_ENTERTAINMENT_CLIENT_SECRET=${e.entertainment.clientSecret}`,
  );
  console.log(
    `  internet-cafe  ${e['internet-cafe'].url}  SYNC_CAFE_APP_ID=${e['internet-cafe'].appId} SYNC_CAFE_SECRET=${e['internet-cafe'].secret}`,
  );
  console.log(
    `endpoints written to ${config.dataDir}/sync-simulators.json (npm run sync picks them up); Ctrl-C to stop`,
  );
  const stop = async () => {
    forget();
    await sims.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}
