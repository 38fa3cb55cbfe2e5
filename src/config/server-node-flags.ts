/**
 * V8 flags the API server runs with: `npm start` (package.json) and the image's CMD (Dockerfile)
 * pass them, `bench:api` starts both servers it compares with them, bench:sync's sync child runs
 * with them (the scheduled syncs run in the server process), and a unit test keeps them in step.
 *
 * None: the server runs with V8's defaults. Sessions 6–8 ran it with `--max-semi-space-size=32`
 * (a young generation up to 48 MB larger), measured in session 9 on the 1M bench database, page of
 * 50 under 32 connections, alternating runs on the same loaded machine:
 * - with the flag, platform 286–448 req/s (median 368) against the baseline's 390–495 (median 440):
 *   0.83× median over 6 rounds; without it, platform 222–349 (about 20% lower) against 259–339
 *   (about 35% lower): 1.02× median over 8 rounds. The flag helped the bare baseline more than
 *   the platform.
 * - a first 100k-hotel sync peaked at 433 MB RSS with it and 369 MB without (1M: 445 MB with it
 *   in session 7, 388 MB without in session 9), against the sync's limit of 400 MB: its main
 *   thread fills the larger young generation too.
 * The sync's memory bound is a stated requirement; a roster page at ~300 req/s on two cores is far
 * beyond a bureau's dashboards. An operator who wants the flag back adds it here (and the test
 * makes npm start and the image follow).
 */
export const SERVER_NODE_FLAGS: readonly string[] = [];
