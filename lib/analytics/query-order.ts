/**
 * Starts a streamed panel's query once the main content's queries have settled. Started
 * together on two cores, a page's eight queries shared them, and the main content waited
 * for its queries' share (the overview's headline and chart took 290-375 ms p50 to show at
 * 10M rows, with their queries ~60 ms alone). A streamed panel loses nothing by waiting:
 * React reveals it no sooner than 300 ms after the first paint (see the README's "Loading
 * states only where they pay").
 */
export function afterMain<T>(main: Promise<unknown>[], start: () => Promise<T>): Promise<T> {
  return Promise.allSettled(main).then(start);
}
