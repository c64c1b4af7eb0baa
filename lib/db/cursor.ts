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
  await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${query}`, params);
  for (;;) {
    const { rows } = await client.query<R>(`FETCH ${FETCH_ROWS} FROM ${name}`);
    yield rows;
    if (rows.length < FETCH_ROWS) break;
  }
  await client.query(`CLOSE ${name}`);
}
