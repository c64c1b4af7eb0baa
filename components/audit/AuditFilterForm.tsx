const input = 'rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950';

/** The Audit page's filters as a plain GET form: the URL stays the one source of view state. */
export function AuditFilterForm({ actions, value }: {
  actions: readonly string[];
  value: { actor: string; action: string; from: string; to: string };
}) {
  return (
    <form method="get" className="flex flex-wrap items-end gap-3" aria-label="Filter the audit trail">
      <label className="flex flex-col text-xs font-medium">Actor
        <input name="actor" defaultValue={value.actor} placeholder="email or token:name" className={input} />
      </label>
      <label className="flex flex-col text-xs font-medium">Action
        <select name="action" defaultValue={value.action} className={input}>
          <option value="">any</option>
          {actions.map((a) => <option key={a} value={a}>{a}</option>)}
        </select>
      </label>
      <label className="flex flex-col text-xs font-medium">From (UTC)
        <input name="from" type="date" defaultValue={value.from} className={input} />
      </label>
      <label className="flex flex-col text-xs font-medium">To (UTC)
        <input name="to" type="date" defaultValue={value.to} className={input} />
      </label>
      <button type="submit" className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-semibold text-white">Filter</button>
    </form>
  );
}
