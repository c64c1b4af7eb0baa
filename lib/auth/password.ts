import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';

// argon2id with the library's defaults (OWASP's recommended minimum or better).
// @node-rs/argon2 ships prebuilt binaries in npm packages: nothing to compile or download.

export const PasswordSchema = z
  .string()
  .min(10, 'Use at least 10 characters for the password.')
  .max(256, 'Use at most 256 characters for the password.');

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Checked when no user matches, so that a wrong email and a wrong password take the same time.
let dummyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  try {
    dummyHash ??= hash('no user has this password');
    const ok = await verify(passwordHash ?? (await dummyHash), password);
    return passwordHash !== null && ok;
  } catch {
    return false;
  }
}
