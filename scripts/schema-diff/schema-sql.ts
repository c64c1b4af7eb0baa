// Prints the SQL that creates prisma/schema.prisma from an empty database.
// Used to author migrations (`npm run gw -- schema-sql`) and by the schema drift test.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..', '..');

export async function schemaToSql(databaseUrl: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gw-schema-'));
  try {
    // Prisma 6 requires `url` in the datasource block; Prisma 7 forbids it there.
    const schema = (await readFile(path.join(root, 'prisma', 'schema.prisma'), 'utf8')).replace(
      /provider\s*=\s*"postgresql"/,
      '$&\n  url = env("GW_DIFF_DATABASE_URL")',
    );
    const schemaPath = path.join(dir, 'schema.prisma');
    await writeFile(schemaPath, schema);
    const stub = path.join(dir, 'no-engine');
    await writeFile(stub, '');
    const cli = path.join(root, 'node_modules', 'prisma-legacy-cli', 'build', 'index.js');
    const { stdout } = await run(
      process.execPath,
      [cli, 'migrate', 'diff', '--config', path.join(root, 'scripts', 'schema-diff', 'prisma.config.ts'),
        '--from-empty', '--to-schema-datamodel', schemaPath, '--script'],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          GW_DIFF_SCHEMA: schemaPath,
          GW_DIFF_DATABASE_URL: databaseUrl,
          // Neither engine runs for a diff from the schema; stubs stop the CLI downloading them.
          PRISMA_QUERY_ENGINE_LIBRARY: stub,
          PRISMA_SCHEMA_ENGINE_BINARY: path.join(root, 'scripts', 'no-schema-engine.sh'),
          PRISMA_HIDE_UPDATE_MESSAGE: '1',
        },
      },
    );
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  process.stdout.write(await schemaToSql(url));
}
