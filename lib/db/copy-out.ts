import { StringDecoder } from 'node:string_decoder';

import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

import { copyFields } from './copy-format';

/** Streams the result of `COPY (query) TO STDOUT`, a line's values at a time. */
export async function copyOut(client: pg.PoolClient, query: string, onFields: (fields: Array<string | null>) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of client.query(copyTo(`COPY (${query}) TO STDOUT`))) {
    const lines = (rest + decoder.write(chunk as Buffer)).split('\n');
    rest = lines.pop()!;
    for (const line of lines) onFields(copyFields(line));
  }
  rest += decoder.end();
  if (rest !== '') onFields(copyFields(rest));
}
