// The environment of a spawned `next start`: npm start, the HTTP benchmarks and the tests
// all start the web server through this, so that they measure and test what runs.

/** The server's V8 old-space limit, in MiB (see nextServerEnv). */
export const SERVER_OLD_SPACE_MIB = 1024;

/**
 * `env` plus two memory settings, each unless `env` sets its own:
 *
 * - `--max-old-space-size=1024` in NODE_OPTIONS. V8 lets the heap grow after each full
 *   collection by a factor picked from how cheap collecting is, up to 4 when the heap
 *   may reach 2 GiB or more (the default on this machine's 24 GiB): ingesting a 1 GiB
 *   upload keeps ~100 MB alive, yet the old space grew to ~400 MB between collections,
 *   and the server by 466 MiB. Below 2 GiB V8 scales that factor down (1.6 at 1 GiB),
 *   so the same upload grows the heap far less, while 1 GiB leaves room for several
 *   uploads and exports at once.
 * - `MALLOC_MMAP_THRESHOLD_=1048576`. glibc's malloc gives blocks of 128 KiB and more their
 *   own mapping, returned to the system when freed, but raises that threshold (up to
 *   32 MiB) to the size of each such block freed: an upload's large buffers (COPY pieces,
 *   the tally's typed arrays) then come from the heap, whose freed memory mostly stays
 *   resident. Setting the threshold turns the raising off: during a 1 GiB upload the
 *   server's memory outside the JavaScript heap stayed at ~120 MiB (median; 153 at most)
 *   instead of ~220 (256). Set at 128 KiB, every read of the vector rows mapped and unmapped
 *   its buffers of 128 KiB to 1 MiB, page faults included: the accounts list took ~55 ms
 *   instead of ~40 (90 days at 10M rows); at 1 MiB it takes ~40, and a 1 GiB upload grew
 *   the server about as much (244-254 MiB against 228-259). glibc reads it when a process
 *   starts, hence in the child's environment; other C libraries ignore it.
 */
export function nextServerEnv<E extends Record<string, string | undefined>>(
  env: E,
): E & { NODE_OPTIONS: string; MALLOC_MMAP_THRESHOLD_: string } {
  const nodeOptions = env.NODE_OPTIONS ?? '';
  return {
    ...env,
    MALLOC_MMAP_THRESHOLD_: env.MALLOC_MMAP_THRESHOLD_ ?? '1048576',
    NODE_OPTIONS: /--max[-_]old[-_]space[-_]size\b/.test(nodeOptions)
      ? nodeOptions
      : `${nodeOptions} --max-old-space-size=${SERVER_OLD_SPACE_MIB}`.trim(),
  };
}
