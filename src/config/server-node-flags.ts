/**
 * V8 flags the API server runs with: `npm start` (package.json) and the image's CMD (Dockerfile)
 * pass them, `bench:api` starts both servers it compares with them, and a unit test keeps the three
 * in step.
 *
 * `--max-semi-space-size=32` (MB; Node 20's default is 16): a roster page allocates about 1 MB
 * while 32 requests are in flight, so with 16 MB the young generation is scavenged every few
 * requests and live page data is copied and promoted each time. 32 MB cut the GC share of a loaded
 * server and raised the page's throughput by 10–15% in `bench:api` (the baseline gained too),
 * for at most 32 MB more young generation per semi-space.
 *
 * The trade: the scheduled syncs run in this process, and a 1M-hotel first sync peaked at 445 MB
 * RSS with the flag against 375–383 MB without it (bench:sync, whose sync child runs with these
 * flags). Incremental syncs are small; an operator who must hold a full resync under 400 MB drops
 * the flag (one word in package.json or the image's CMD) at the cost of the page throughput above.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
