import { createHash, randomBytes } from 'node:crypto';

// Session cookies and API tokens are random 256-bit secrets. Only their SHA-256 is stored:
// a leaked database does not let anyone sign in. (A fast hash is right here: the secrets
// have full entropy, unlike passwords, which get argon2id.)

export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
