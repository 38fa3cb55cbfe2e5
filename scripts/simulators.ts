/**
 * Runs the hotel, entertainment and internet-café source simulators alone (`npm run simulators`),
 * seeded like the demo county (DEMO_SCALE), and prints where they listen and how to authenticate.
 * Ctrl-C stops them.
 */
import { loadConfig } from '../src/config/config.js';
import { startSourceSimulators, writeSimulatorEndpoints } from '../src/modules/sync/sync-sources.js';

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
