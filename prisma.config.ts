import { defineConfig } from 'prisma/config';

// The CLI is used for `prisma generate` only; migrations are applied by lib/db/migrate.ts
// (see README, "Migrations offline"). A placeholder URL keeps generate independent of a database.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/gatewatch' },
});
