import { parseArgs } from 'node:util';

// Benchmarks: `npm run bench -- <name> [options]`. Each prints a readable table and, as
// the very last line of standard output, one JSON object with its figures.
import { runExportBench } from './bench/export';
import { runHttpBench } from './bench/http';
import { benchIngest } from './bench/ingest';
import { type GeneratedDatabase } from './bench/generate-sql';
import { runQueryBench } from './bench/query';

const BENCHES: Record<string, (args: string[]) => Promise<void>> = {
  ingest: benchIngest,
  query: (args) => runQueryBench(generatedOptions(args, 10_000_000)),
  export: (args) => runExportBench(generatedOptions(args, 1_000_000)),
  http: (args) => {
    const { values } = parseArgs({ args, options: { ...GENERATED_OPTIONS, only: { type: 'string' } }, strict: true });
    const { only } = values;
    if (only !== undefined && only !== 'api' && only !== 'pages') throw new Error(`--only must be api or pages (got "${only}")`);
    return runHttpBench(generated(values, 1_000_000), { only });
  },
};

const GENERATED_OPTIONS = { rows: { type: 'string' }, keep: { type: 'string' } } as const;

const generatedOptions = (args: string[], fallback: number) => generated(parseArgs({ args, options: GENERATED_OPTIONS, strict: true }).values, fallback);

function generated(values: { rows?: string; keep?: string }, fallback: number): GeneratedDatabase {
  const rows = values.rows === undefined ? fallback : Number(values.rows);
  if (!Number.isSafeInteger(rows) || rows < 1) throw new Error(`--rows must be a positive whole number (got "${values.rows}")`);
  return { rows, keep: values.keep };
}

const USAGE = `Usage: npm run bench -- <benchmark> [options]

Benchmarks:
  ingest [--rows N] [--createmany-rows M]
      psql \\copy of an N-row CSV (default 1,000,000) into a table like access_decisions,
      against Gatewatch ingesting the same file through POST /api/v1/batches, and Prisma
      createMany in chunks of 1,000 on M rows (default 50,000); also the server's resident
      memory before and at most during the upload (--rows 7300000 makes a ~1 GiB file)
  query [--rows N] [--keep NAME]
      the dashboard's queries on N generated decisions (default 10,000,000), 20 runs each:
      median and p95, and the speed-up over the same answer computed from raw rows
  export [--rows N] [--keep NAME]
      psql \\copy (select ...) to stdout csv against GET /api/v1/export/decisions.csv on N rows
      (default 1,000,000): rows/s of both, the ratio, and the server's peak resident memory;
      then an evidence pack of the same rows: time and peak resident memory
  http [--rows N] [--keep NAME] [--only api|pages]
      every API call the pages make, through HTTP with a token, for the presets 24h, 7d, 30d,
      90d ending now and for 30 whole days (10 runs: p50, p95, ratio to naive SQL), then each
      page opened 10 times in Chromium: time until its main chart or table is visible;
      --only runs one of the two parts

Scratch databases go on the PostgreSQL at GW_TEST_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/postgres) and are dropped at the end. --keep NAME keeps
the generated data in the database NAME instead, and the next run with the same --rows reuses
it when it was generated less than 6 hours ago (10M rows take ~5 minutes to generate).`;

async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv;
  const bench = name === undefined ? undefined : BENCHES[name];
  if (!bench) {
    console.error(USAGE);
    process.exit(name === undefined || name === 'help' || name === '--help' ? 0 : 2);
  }
  await bench(rest);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`[bench] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
