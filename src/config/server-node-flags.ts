/**
 * V8 flags the API server runs with: `npm start` (package.json) and the image's CMD (Dockerfile)
 * pass them, `bench:api` starts both servers it compares with them, and a unit test keeps the three
 * in step.
 *
 * `--max-semi-space-size=32` (MB; Node 20's default is 16): a roster page allocates about 1 MB
 * while 32 requests are in flight, so with 16 MB the young generation is scavenged every few
 * requests and live page data is copied and promoted each time. 32 MB cut the GC share of a loaded
 * server and raised the page's throughput by 10–15% in `bench:api` (the baseline gained too),
 * for at most 32 MB more young generation.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
