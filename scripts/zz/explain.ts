import pg from 'pg';
import { accountsSql } from '@/lib/analytics/accounts';
import { parseFilters } from '@/lib/analytics/filters';
async function main() {
  const [qs, sort, page] = [process.argv[2] ?? 'range=30d', process.argv[3] ?? 'blocked', Number(process.argv[4] ?? 1)];
  const f = parseFilters(new URLSearchParams(qs), new Date());
  const s = accountsSql(f, { column: sort as 'blocked', desc: sort !== 'name' }, { limit: 25, offset: (page - 1) * 25 });
  const c = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/devbench10m', options: '-c max_parallel_workers_per_gather=0 -c work_mem=64MB' });
  await c.connect();
  for (let i = 0; i < 3; i++) { const t = Date.now(); await c.query(s.text, s.values); console.log('ms', Date.now() - t); }
  const r = await c.query('EXPLAIN (ANALYZE, BUFFERS) ' + s.text, s.values);
  console.log(r.rows.map((x) => x['QUERY PLAN']).join('\n'));
  if (process.env.SQL) console.log(s.text, s.values);
  await c.end();
}
main();
