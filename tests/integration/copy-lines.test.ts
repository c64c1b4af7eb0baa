import { describe, expect, it } from 'vitest';

import { copyLines } from '@/lib/db/copy-in';

import { useTestDatabase } from '../helpers/test-database';

// copyLines packs lines into pieces of bytes: what arrives must be the lines, whole,
// whatever their encoded length and wherever a piece ends.

const database = useTestDatabase();

async function copied(lines: Iterable<string>): Promise<string[]> {
  const client = await database().pool.connect();
  try {
    await client.query('CREATE TEMP TABLE gw_lines (n int, value text)');
    await copyLines(client, 'COPY gw_lines (n, value) FROM STDIN', lines);
    const { rows } = await client.query<{ value: string }>('SELECT value FROM gw_lines ORDER BY n');
    return rows.map((r) => r.value);
  } finally {
    await client.query('DROP TABLE IF EXISTS gw_lines');
    client.release();
  }
}

const numbered = (values: string[]) => values.map((value, n) => `${n}\t${value}\n`);

describe('copyLines', () => {
  it('sends nothing for no lines', async () => {
    expect(await copied([])).toEqual([]);
  });

  it('keeps multi-byte text whole across many pieces', async () => {
    const values = Array.from({ length: 30_000 }, (_, i) => `Zürich 東京 😀 ${i} ${'x'.repeat(i % 50)}`);
    expect(await copied(numbered(values))).toEqual(values);
  });

  it('sends lines longer than a piece, between ordinary ones', async () => {
    const values = ['short', 'é'.repeat(100_000), 'next', 'y'.repeat(600_000), '😀'.repeat(50_000), 'last'];
    expect(await copied(numbered(values))).toEqual(values);
  });

  it('rejects with the server error and leaves the connection usable', async () => {
    const client = await database().pool.connect();
    try {
      await client.query('CREATE TEMP TABLE gw_bad (n int)');
      await expect(copyLines(client, 'COPY gw_bad (n) FROM STDIN', ['1\n', 'not a number\n'])).rejects.toThrow(/integer/);
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      client.release();
    }
  });
});
