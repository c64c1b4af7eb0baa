// Config for Prisma 6.19's CLI (installed as `prisma-legacy-cli`), used only to turn
// schema.prisma into SQL offline: its WASM schema engine needs no download, where
// Prisma 7's CLI needs a native engine. See scripts/schema-diff/schema-sql.ts.
import { PrismaPg } from 'prisma-legacy-adapter-pg';

export default {
  experimental: { adapter: true },
  engine: 'js',
  schema: process.env.GW_DIFF_SCHEMA,
  async adapter() {
    return new PrismaPg({ connectionString: process.env.GW_DIFF_DATABASE_URL });
  },
};
