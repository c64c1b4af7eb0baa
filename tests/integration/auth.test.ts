import { describe, expect, it } from 'vitest';

import { createApiToken, resolveApiToken, revokeApiToken } from '@/lib/auth/api-tokens';
import { hashSecret } from '@/lib/auth/secrets';
import { createSession, deleteSession, resolveSession } from '@/lib/auth/sessions';
import { checkCredentials } from '@/lib/auth/sign-in';
import {
  createFirstAdmin,
  createUser,
  isLastActiveAdmin,
  SetupClosedError,
  setUserDisabled,
  setUserRole,
  UserExistsError,
} from '@/lib/auth/users';

import { useTestDatabase } from '../helpers/test-database';

describe('sign-in, sessions and tokens', () => {
  const db = useTestDatabase();

  it('creates exactly one first admin, even when two setups race, then closes setup', async () => {
    const results = await Promise.allSettled([
      createFirstAdmin(db().prisma, { email: 'First@Example.com', password: 'correct horse battery' }),
      createFirstAdmin(db().prisma, { email: 'second@example.com', password: 'correct horse battery' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(SetupClosedError);
    const admins = await db().prisma.user.findMany();
    expect(admins).toHaveLength(1);
    expect(admins[0]!.role).toBe('admin');
    await expect(
      createFirstAdmin(db().prisma, { email: 'third@example.com', password: 'correct horse battery' }),
    ).rejects.toBeInstanceOf(SetupClosedError);
  });

  it('stores argon2id hashes, never the password, and checks credentials', async () => {
    const user = await createUser(db().prisma, { email: ' Ana@Example.COM ', password: 'a long enough secret', role: 'analyst' });
    expect(user.email).toBe('ana@example.com');
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    expect(user.passwordHash).not.toContain('a long enough secret');
    expect(await checkCredentials(db().prisma, 'ANA@example.com', 'a long enough secret')).toMatchObject({ ok: true, userId: user.id });
    expect(await checkCredentials(db().prisma, 'ana@example.com', 'wrong password')).toEqual({ ok: false, reason: 'invalid' });
    expect(await checkCredentials(db().prisma, 'nobody@example.com', 'whatever')).toEqual({ ok: false, reason: 'invalid' });
    await expect(createUser(db().prisma, { email: 'ana@example.com', password: 'another long one', role: 'viewer' }))
      .rejects.toBeInstanceOf(UserExistsError);
    await expect(createUser(db().prisma, { email: 'short@example.com', password: 'short', role: 'viewer' }))
      .rejects.toThrow(/at least 10 characters/);
    // Passwords made of the email, or mostly of its name part, are refused; a mention is not.
    await expect(createUser(db().prisma, { email: 'mei@example.com', password: 'MEI@example.com!', role: 'viewer' }))
      .rejects.toThrow(/must not be made of the email/);
    await expect(createUser(db().prisma, { email: 'margaret@example.com', password: 'Margaret2024!', role: 'viewer' }))
      .rejects.toThrow(/must not be made of the email/);
    await createUser(db().prisma, { email: 'margot@example.com', password: 'margot keeps a long passphrase', role: 'viewer' });
  });

  it('throttles repeated failures for one email', async () => {
    await createUser(db().prisma, { email: 'target@example.com', password: 'the real password', role: 'viewer' });
    for (let i = 0; i < 10; i += 1) {
      expect((await checkCredentials(db().prisma, 'target@example.com', `guess ${i}`)).ok).toBe(false);
    }
    expect(await checkCredentials(db().prisma, 'target@example.com', 'the real password')).toEqual({ ok: false, reason: 'throttled' });
    // Throttled attempts are not counted as failures: the window still ends 15 minutes after the tenth.
    const stored = async (email: string) =>
      (await db().pool.query(`SELECT count(*)::int AS n FROM sign_in_failures WHERE email = $1`, [email])).rows[0].n;
    expect(await stored('target@example.com')).toBe(10);
    // Counted in the database, not per process: failures another server stored throttle this one.
    await createUser(db().prisma, { email: 'stored@example.com', password: 'the stored password', role: 'viewer' });
    await db().pool.query(`INSERT INTO sign_in_failures (email) SELECT 'stored@example.com' FROM generate_series(1, 10)`);
    expect(await checkCredentials(db().prisma, 'Stored@Example.com', 'the stored password')).toEqual({ ok: false, reason: 'throttled' });
    // Other emails are not affected.
    await createUser(db().prisma, { email: 'bystander@example.com', password: "a bystander's password", role: 'viewer' });
    expect((await checkCredentials(db().prisma, 'bystander@example.com', "a bystander's password")).ok).toBe(true);
  });

  it('checks at most ten passwords of guesses sent at once', async () => {
    await createUser(db().prisma, { email: 'burst@example.com', password: 'the burst password', role: 'viewer' });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => checkCredentials(db().prisma, 'burst@example.com', `guess ${i}`)));
    const reasons = results.map((r) => (r.ok ? 'ok' : r.reason));
    const checked = reasons.filter((r) => r === 'invalid').length;
    // All may be throttled (each sees the others' attempts); never more than ten checked.
    expect(checked).toBeLessThanOrEqual(10);
    expect(reasons.filter((r) => r === 'throttled').length).toBe(30 - checked);
    expect((await db().pool.query(`SELECT count(*)::int AS n FROM sign_in_failures WHERE email = 'burst@example.com'`)).rows[0].n).toBe(checked);
  });

  it('forgets failures after 15 minutes, and after a successful sign-in', async () => {
    await createUser(db().prisma, { email: 'later@example.com', password: 'the later password', role: 'viewer' });
    for (let i = 0; i < 10; i += 1) await checkCredentials(db().prisma, 'later@example.com', `guess ${i}`);
    expect(await checkCredentials(db().prisma, 'later@example.com', 'the later password')).toEqual({ ok: false, reason: 'throttled' });
    await db().pool.query(`UPDATE sign_in_failures SET at = at - interval '16 minutes' WHERE email = 'later@example.com'`);
    expect((await checkCredentials(db().prisma, 'later@example.com', 'the later password')).ok).toBe(true);

    // A new failure deletes rows past the window, whoever they were for.
    await db().pool.query(`INSERT INTO sign_in_failures (email, at) VALUES ('gone@example.com', now() - interval '20 minutes')`);
    await checkCredentials(db().prisma, 'later@example.com', 'one more guess');
    const rows = (await db().pool.query(`SELECT email FROM sign_in_failures ORDER BY id`)).rows.map((r) => r.email);
    expect(rows).not.toContain('gone@example.com');
    expect(rows).toContain('later@example.com');

    // Success clears that email's failures.
    expect((await checkCredentials(db().prisma, 'later@example.com', 'the later password')).ok).toBe(true);
    expect((await db().pool.query(`SELECT count(*)::int AS n FROM sign_in_failures WHERE email = 'later@example.com'`)).rows[0].n).toBe(0);
  });

  it('resolves sessions by their hashed token, and not once expired, deleted or the user disabled', async () => {
    const user = await createUser(db().prisma, { email: 'sess@example.com', password: 'session password', role: 'viewer' });
    const { token } = await createSession(db().prisma, user.id, { hours: 1 });
    const stored = await db().prisma.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(stored.tokenHash).toBe(hashSecret(token));
    expect(stored.tokenHash).not.toContain(token);
    expect(await resolveSession(db().prisma, token)).toMatchObject({ kind: 'user', role: 'viewer', user: { email: 'sess@example.com' } });
    expect(await resolveSession(db().prisma, `${token}x`)).toBeNull();

    const expired = await createSession(db().prisma, user.id, { hours: -1 });
    expect(await resolveSession(db().prisma, expired.token)).toBeNull();

    await deleteSession(db().prisma, token);
    expect(await resolveSession(db().prisma, token)).toBeNull();

    const again = await createSession(db().prisma, user.id, { hours: 1 });
    await setUserDisabled(db().prisma, user.id, true);
    expect(await resolveSession(db().prisma, again.token)).toBeNull();
    expect(await checkCredentials(db().prisma, 'sess@example.com', 'session password')).toEqual({ ok: false, reason: 'disabled' });
  });

  it('ends a session idle for longer than GW_SESSION_IDLE_MINUTES, and keeps an active one alive', async () => {
    const user = await createUser(db().prisma, { email: 'idle@example.com', password: 'an idle password', role: 'viewer' });
    const { token } = await createSession(db().prisma, user.id, { hours: 12 });
    const start = Date.now();
    const at = (minutes: number) => new Date(start + minutes * 60_000);
    // Activity every 50 minutes keeps it (the default idle limit is 60).
    expect(await resolveSession(db().prisma, token, at(50))).not.toBeNull();
    expect(await resolveSession(db().prisma, token, at(100))).not.toBeNull();
    // 61 minutes after the last activity it is gone, and stays gone.
    expect(await resolveSession(db().prisma, token, at(161))).toBeNull();
    expect(await resolveSession(db().prisma, token, at(162))).toBeNull();
    expect(await db().prisma.session.count({ where: { userId: user.id } })).toBe(0);
  });

  it('ends every session of a user whose role changes', async () => {
    const user = await createUser(db().prisma, { email: 'promoted@example.com', password: 'a promoted password', role: 'viewer' });
    const { token } = await createSession(db().prisma, user.id, { hours: 1 });
    await setUserRole(db().prisma, user.id, 'analyst');
    expect(await resolveSession(db().prisma, token)).toBeNull();
  });

  it('refuses an expired API token', async () => {
    const { secret, expiresAt } = await createApiToken(db().prisma, { name: 'short lived', role: 'viewer', expiresInDays: 1 });
    expect(expiresAt!.getTime()).toBeGreaterThan(Date.now() + 86_000_000);
    expect(await resolveApiToken(db().prisma, secret)).not.toBeNull();
    await db().prisma.apiToken.updateMany({ where: { name: 'short lived' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await resolveApiToken(db().prisma, secret)).toBeNull();
    await expect(createApiToken(db().prisma, { name: 'bad', role: 'viewer', expiresInDays: 0 })).rejects.toThrow(/at least 1 day/);
  });

  it("writes an API token's last use at most once a minute", async () => {
    const { id, secret } = await createApiToken(db().prisma, { name: 'busy client', role: 'viewer' });
    const lastUsed = async () => (await db().prisma.apiToken.findUniqueOrThrow({ where: { id } })).lastUsedAt?.toISOString();
    const t0 = new Date(Date.now() + 1000);
    expect(await lastUsed()).toBeUndefined();
    expect(await resolveApiToken(db().prisma, secret, t0)).not.toBeNull();
    expect(await lastUsed()).toBe(t0.toISOString());
    expect(await resolveApiToken(db().prisma, secret, new Date(t0.getTime() + 59_000))).not.toBeNull();
    expect(await lastUsed()).toBe(t0.toISOString());
    const later = new Date(t0.getTime() + 61_000);
    expect(await resolveApiToken(db().prisma, secret, later)).not.toBeNull();
    expect(await lastUsed()).toBe(later.toISOString());
  });

  it('issues API tokens shown once and stored hashed; revoked tokens stop working', async () => {
    const { id, secret } = await createApiToken(db().prisma, { name: 'ci uploader', role: 'analyst' });
    expect(secret).toMatch(/^gwt_[A-Za-z0-9_-]{43}$/);
    const row = await db().prisma.apiToken.findUniqueOrThrow({ where: { id } });
    expect(row.tokenHash).toBe(hashSecret(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(12));
    expect(await resolveApiToken(db().prisma, secret)).toMatchObject({ kind: 'token', role: 'analyst', token: { name: 'ci uploader' } });
    expect(await resolveApiToken(db().prisma, 'gwt_not-a-real-token')).toBeNull();
    await revokeApiToken(db().prisma, id);
    expect(await resolveApiToken(db().prisma, secret)).toBeNull();
  });

  it('knows the last active admin', async () => {
    const admin = await db().prisma.user.findFirstOrThrow({ where: { role: 'admin' } });
    expect(await isLastActiveAdmin(db().prisma, admin.id)).toBe(true);
    const second = await createUser(db().prisma, { email: 'admin2@example.com', password: 'second admin pw', role: 'admin' });
    expect(await isLastActiveAdmin(db().prisma, admin.id)).toBe(false);
    await setUserDisabled(db().prisma, second.id, true);
    expect(await isLastActiveAdmin(db().prisma, admin.id)).toBe(true);
  });
});
