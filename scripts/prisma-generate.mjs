// Runs `prisma generate` on machines without internet access.
// `prisma generate` never executes the native schema engine, but the CLI insists on
// downloading it first. When the engine is not installed (offline install, or npm
// denied @prisma/engines' install script) we point the CLI at a stub so that
// generation succeeds; machines that do have the engine keep Prisma's standard path.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const enginesDir = path.join(root, 'node_modules', '@prisma', 'engines');
const hasEngine =
  existsSync(enginesDir) && readdirSync(enginesDir).some((f) => f.startsWith('schema-engine'));

const env = { ...process.env };
if (!hasEngine && !env.PRISMA_SCHEMA_ENGINE_BINARY) {
  env.PRISMA_SCHEMA_ENGINE_BINARY = path.join(root, 'scripts', 'no-schema-engine.sh');
}
// Not node_modules/.bin/prisma: that link may point at the legacy CLI kept for schema diffs.
const prismaBin = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
if (!existsSync(prismaBin)) {
  console.log('prisma CLI not installed yet; skipping client generation');
  process.exit(0);
}
const result = spawnSync(process.execPath, [prismaBin, 'generate'], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
