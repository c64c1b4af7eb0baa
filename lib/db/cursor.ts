import type pg from 'pg';

const FETCH_ROWS = 50_000;

/**
 * The rows a query returns, a batch at a time, through a cursor so that memory stays
 * bounded however many there are. Runs inside the caller's transaction, where the cursor
 * lives; `name` must differ from that of any cursor open at the same time.
 */
export async function* cursorBatches<R extends pg.QueryResultRow>(
  client: pg.PoolClient,
  name: string,
  query: string,
  params: unknown[] = [],
): AsyncGenerator<R[]> {
  // Every row is fetched: planned for the first tenth (the default), a grouping's join to
  // the accounts became an index probe per group (74,000 of them, ~300 ms, for a batch's
  // violations) rather than one hash.
  await client.query('SET LOCAL cursor_tuple_fraction = 1');
  await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${query}`, params);
  for (;;) {
    const { rows } = await client.query<R>(`FETCH ${FETCH_ROWS} FROM ${name}`);
    yield rows;
    if (rows.length < FETCH_ROWS) break;
  }
  await client.query(`CLOSE ${name}`);
}
