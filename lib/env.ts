import { z } from 'zod';

// Every environment variable Gatewatch reads, with its default. README "Configuration"
// documents the same list; keep them in step.
const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no'])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const EnvSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  GW_DATA_DIR: z.string().default('./.data'),
  GW_EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  GW_SEED: flag.default(true),
  GW_SEED_ROWS: z.coerce.number().int().min(0).default(1_000_000),
  GW_ADMIN_EMAIL: z.string().email().optional(),
  GW_ADMIN_PASSWORD: z.string().min(1).optional(),
  GW_MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(2 * 1024 ** 3),
  GW_SESSION_HOURS: z.coerce.number().positive().default(12),
  GW_SESSION_IDLE_MINUTES: z.coerce.number().positive().default(60),
  GW_SECURE_COOKIES: z.enum(['auto', '0', '1']).default('auto'),
  GW_UPLOAD_IDLE_SECONDS: z.coerce.number().positive().default(30),
  GW_UPLOADS_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  GW_DB_POOL_MAX: z.coerce.number().int().min(2).default(10),
  GW_WARM_UP_SECONDS: z.coerce.number().min(0).default(10),
});

export type Env = z.infer<typeof EnvSchema>;

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  // Empty strings mean "not set", as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== ''));
  const parsed = EnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return parsed.data;
}

let cached: Env | undefined;
export function env(): Env {
  cached ??= readEnv();
  return cached;
}
