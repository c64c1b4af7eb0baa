'use client';

import { useActionState } from 'react';

import type { TokenState } from '@/app/(dashboard)/settings/actions';

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  role: string;
  createdAt: string;
  lastUsedAt: string | null;
  revoked: boolean;
  expiresAt: string | null;
  createdBy: string | null;
}

const input = 'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950';

export function TokensPanel({ tokens, create, revoke }: {
  tokens: TokenRow[];
  create: (s: TokenState, f: FormData) => Promise<TokenState>;
  revoke: (f: FormData) => Promise<void>;
}) {
  const [state, formAction, pending] = useActionState(create, { error: null, message: null, secret: null });
  return (
    <div className="space-y-4">
      <form action={formAction} className="flex flex-wrap items-end gap-3" aria-label="Create API token">
        <label className="flex flex-col text-xs font-medium">Name<input name="name" required className={input} /></label>
        <label className="flex flex-col text-xs font-medium">Role
          <select name="role" defaultValue="analyst" className={input}>
            <option value="viewer">viewer</option><option value="analyst">analyst</option><option value="admin">admin</option>
          </select>
        </label>
        <label className="flex flex-col text-xs font-medium">Expires after (days)
          <input name="expiresInDays" type="number" min={1} max={3650} placeholder="never" className={`${input} w-32`} />
        </label>
        <button type="submit" disabled={pending} className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white">Create token</button>
      </form>
      {state.error ? <p role="alert" className="text-sm text-red-700 dark:text-red-300">{state.error}</p> : null}
      {state.secret ? (
        <p role="status" className="rounded-md bg-amber-50 p-3 text-sm dark:bg-amber-950">
          {state.message} <code className="break-all font-mono" data-testid="new-token">{state.secret}</code>
        </p>
      ) : null}
      <table className="w-full text-sm">
        <caption className="sr-only">API tokens</caption>
        <thead className="text-left text-xs uppercase text-slate-500"><tr><th className="py-1">Name</th><th>Prefix</th><th>Role</th><th>Created</th><th>Last used</th><th>Expires</th><th>Status</th></tr></thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id} className="border-t border-slate-100 dark:border-slate-800">
              <td className="py-1.5">{t.name}</td>
              <td className="font-mono">{t.prefix}…</td>
              <td>{t.role}</td>
              <td>{t.createdAt.slice(0, 10)}{t.createdBy ? ` by ${t.createdBy}` : ''}</td>
              <td>{t.lastUsedAt ? t.lastUsedAt.slice(0, 16).replace('T', ' ') : 'never'}</td>
              <td>{t.expiresAt ? t.expiresAt.slice(0, 16).replace('T', ' ') : 'never'}</td>
              <td>
                {t.revoked ? 'revoked' : t.expiresAt && t.expiresAt <= new Date().toISOString() ? 'expired' : (
                  <form action={revoke}>
                    <input type="hidden" name="tokenId" value={t.id} />
                    <button type="submit" className="text-sky-700 underline dark:text-sky-400">Revoke</button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
