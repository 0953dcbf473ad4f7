/**
 * How production runs a built entry point: `node ...NODE_FLAGS dist/serve.mjs` (the Dockerfile's CMD, with
 * MEMORY_ENV in its environment), and a worker also with WORKER_HEAP_FLAGS (docker-compose's worker service sets
 * them as NODE_OPTIONS). The bench and the tests that start the built output use the same lists;
 * test/unit/docker-compose.test.ts checks the Dockerfile and the compose file against them. Measured in
 * docs/performance.md ("Start-up and memory").
 */
export const NODE_FLAGS = [
  // Stack traces name the TypeScript sources (the maps carry no sources' text: src/bin/build.ts).
  '--enable-source-maps',
] as const;

/**
 * The worker's heap: a ceiling under 2 GiB makes V8 let its heap grow to 1.3–2× the live data between full
 * collections instead of 4× (its default ceiling here is ~4 GiB), so the worker's garbage under load stays small
 * (live data under the bench's heaviest load is ~100 MiB); the young generation of each isolate (the main thread and
 * the workflow thread) is 2×8 MiB instead of 2×16. Not for the web process: with them its OIDC sign-ins at
 * concurrency 20 ran ~40% slower.
 */
export const WORKER_HEAP_FLAGS = ['--max-old-space-size=512', '--max-semi-space-size=8'] as const;

/** The node flags of a built process of this role (`ONRAMP_ROLE`). */
export const nodeFlagsFor = (role: string | undefined): string[] => [...NODE_FLAGS, ...(role === 'worker' ? WORKER_HEAP_FLAGS : [])];

/** glibc's malloc: two arenas instead of up to eight per core, for the threads of Temporal's core, V8 and libuv. */
export const MEMORY_ENV = { MALLOC_ARENA_MAX: '2' } as const;
