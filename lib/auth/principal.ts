import type { Role } from '@/lib/generated/prisma/enums';

/** Who is acting: a signed-in person, or a machine holding an API token. */
export type Principal =
  | { kind: 'user'; role: Role; user: { id: string; email: string; name: string | null; timeZone: string } }
  | { kind: 'token'; role: Role; token: { id: string; name: string } };

export function principalLabel(p: Principal): string {
  return p.kind === 'user' ? p.user.email : `token:${p.token.name}`;
}
