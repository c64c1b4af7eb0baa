'use client';

import { useActionState } from 'react';

import type { PolicyActionState } from '@/app/(dashboard)/policies/actions';

type Action = (s: PolicyActionState, f: FormData) => Promise<PolicyActionState>;

const input = 'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950';
const label = 'flex flex-col text-xs font-medium';
const button = 'rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white disabled:opacity-60';
const STATUSES = ['unsupported', 'supported', 'restricted'] as const;

function Outcome({ state }: { state: PolicyActionState }) {
  if (state.error) return <p role="alert" className="w-full text-sm text-red-700 dark:text-red-300">{state.error}</p>;
  if (state.message) return <p role="status" className="w-full text-sm text-green-700 dark:text-green-300">{state.message}</p>;
  return null;
}

function StatusSelect({ name = 'status' }: { name?: string }) {
  return (
    <label className={label}>Status
      <select name={name} defaultValue="unsupported" className={input}>
        {STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
      </select>
    </label>
  );
}

/** Times are entered in UTC: the catalogue is compared with decisions stored in UTC. */
function UtcTime({ name, text, required }: { name: string; text: string; required?: boolean }) {
  return (
    <label className={label}>{text} (UTC date or ISO time)
      <input name={name} required={required} placeholder="2024-07-09" pattern="\d{4}-\d{2}-\d{2}([T ].*)?" className={input} />
    </label>
  );
}

export function AddPolicyForm({ action }: { action: Action }) {
  const [state, formAction, pending] = useActionState(action, { error: null, message: null });
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-3" aria-label="Add policy version">
      <label className={label}>Provider<input name="provider" required placeholder="openai" className={input} /></label>
      <label className={label}>Channel (empty: every channel)<input name="channel" placeholder="direct" className={input} /></label>
      <label className={label}>Region<input name="region" required maxLength={2} placeholder="CN" className={`${input} w-16 uppercase`} /></label>
      <StatusSelect />
      <UtcTime name="effectiveFrom" text="From" required />
      <UtcTime name="effectiveTo" text="Until (optional)" />
      <label className={`${label} min-w-64 flex-1`}>Source (note or link)<input name="note" maxLength={2000} className={input} /></label>
      <button type="submit" disabled={pending} className={button}>Add version</button>
      <Outcome state={state} />
    </form>
  );
}

export function ChangePolicyForm({ close, supersede, versions }: {
  close: Action;
  supersede: Action;
  versions: { id: number; label: string }[];
}) {
  const [closeState, closeAction, closing] = useActionState(close, { error: null, message: null });
  const [supersedeState, supersedeAction, superseding] = useActionState(supersede, { error: null, message: null });
  const versionSelect = (
    <label className={label}>Version
      <select name="id" required className={input} defaultValue="">
        <option value="" disabled>Choose…</option>
        {versions.map((v) => <option key={v.id} value={v.id}>{v.label}</option>)}
      </select>
    </label>
  );
  return (
    <div className="space-y-4">
      <form action={supersedeAction} className="flex flex-wrap items-end gap-3" aria-label="Supersede policy version">
        {versionSelect}
        <UtcTime name="at" text="From" required />
        <StatusSelect />
        <label className={`${label} min-w-64 flex-1`}>Source (note or link)<input name="note" maxLength={2000} className={input} /></label>
        <button type="submit" disabled={superseding} className={button}>Supersede</button>
        <Outcome state={supersedeState} />
      </form>
      <form action={closeAction} className="flex flex-wrap items-end gap-3" aria-label="Close policy version">
        {versionSelect}
        <UtcTime name="at" text="Ends at" required />
        <button type="submit" disabled={closing} className={button}>Close version</button>
        <Outcome state={closeState} />
      </form>
    </div>
  );
}
