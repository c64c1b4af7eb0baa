'use client';

import { useActionState } from 'react';

import type { ActionState } from '@/app/(dashboard)/settings/actions';

const input = 'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950';

export function CreateUserForm({ action }: { action: (s: ActionState, f: FormData) => Promise<ActionState> }) {
  const [state, formAction, pending] = useActionState(action, { error: null, message: null });
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3" aria-label="Create user">
      <label className="flex flex-col text-xs font-medium">Email<input name="email" type="email" required className={input} /></label>
      <label className="flex flex-col text-xs font-medium">Name<input name="name" className={input} /></label>
      <label className="flex flex-col text-xs font-medium">Password<input name="password" type="password" required minLength={10} autoComplete="new-password" className={input} /></label>
      <label className="flex flex-col text-xs font-medium">Role
        <select name="role" defaultValue="viewer" className={input}>
          <option value="viewer">viewer</option><option value="analyst">analyst</option><option value="admin">admin</option>
        </select>
      </label>
      <button type="submit" disabled={pending} className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white">Create user</button>
      {state.error ? <p role="alert" className="w-full text-sm text-red-700 dark:text-red-300">{state.error}</p> : null}
      {state.message ? <p role="status" className="w-full text-sm text-green-700 dark:text-green-300">{state.message}</p> : null}
    </form>
  );
}
