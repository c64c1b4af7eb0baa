// The environment of a spawned `next start`: npm start, the HTTP benchmarks and the tests
// all start the web server through this, so that they measure and test what runs.

/**
 * `env` plus `MALLOC_MMAP_THRESHOLD_=131072` unless it is set already.
 *
 * glibc's malloc gives blocks of 128 KiB and more their own mapping, returned to the
 * system when freed, but raises that threshold (up to 32 MiB) to the size of each such
 * block freed: an upload's large buffers (COPY pieces, the tally's typed arrays) then come
 * from the heap, whose freed memory mostly stays resident. Setting the threshold turns the
 * raising off: during a 1 GiB upload the server's memory outside the JavaScript heap stayed
 * at ~120 MiB (median; 153 at most) instead of ~220 (256). glibc reads it when a process
 * starts, hence in the child's environment; other C libraries ignore it.
 */
export function nextServerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { MALLOC_MMAP_THRESHOLD_: '131072', ...env };
}
