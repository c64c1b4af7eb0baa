'use client';

import { AppLink } from '@/components/ui/AppLink';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef } from 'react';

import { href, withParams } from '@/components/filters/params';
import { AccountLink } from '@/components/tables/AccountsTable';
import { DecisionBadge, type DecisionRow } from '@/components/tables/DecisionLogTable';

import { formatTimeInZone } from './format';

/**
 * One decision in full, over the log (the `open` URL parameter). Escape or "Close"
 * removes the parameter; focus moves into the drawer and back.
 */
export function DecisionDrawer({ decision, id, tz }: { decision: DecisionRow | null; id: string; tz: string }) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const closeHref = href(pathname, withParams(new URLSearchParams(params), { open: null }, true));
  const closeRef = useRef<HTMLAnchorElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    closeRef.current?.focus();
    return () => previous?.focus?.();
  }, [id]);

  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      router.replace(closeHref, { scroll: false });
    } else if (e.key === 'Tab') {
      // Keep focus inside the dialog.
      const focusable = Array.from(panel.current?.querySelectorAll<HTMLElement>('a[href], button') ?? []);
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (e.shiftKey && document.activeElement === first) { e.preventDefault(); last?.focus(); }
      else if (!e.shiftKey && document.activeElement === last) { e.preventDefault(); first?.focus(); }
    }
  };

  const rows: [string, React.ReactNode][] = decision ? [
    ['Time', <span key="t" className="tabular-nums">{formatTimeInZone(decision.occurredAt, tz, true)}{tz !== 'UTC' ? <><br />{formatTimeInZone(decision.occurredAt, 'UTC', true)}</> : null}</span>],
    ['Decision', <DecisionBadge key="d" decision={decision.decision} />],
    ['Reason', decision.reason ?? '–'],
    ['Policy version', decision.policyVersion ?? '–'],
    ['Policy in force', decision.policy ? (
      <span key="p" data-testid="policy-in-force">
        #{decision.policy.id} {decision.policy.status} for {decision.policy.channel ?? 'every channel'}, {decision.policy.effectiveFrom.slice(0, 10)} to {decision.policy.effectiveTo?.slice(0, 10) ?? 'open end'}
        {decision.policy.violation ? <strong className="ml-1 text-blocked">— violation</strong> : null}
        {decision.policy.note ? <><br /><span className="text-xs text-slate-500">{decision.policy.note}</span></> : null}
      </span>
    ) : 'none recorded'],
    ['Request id', <code key="r" className="break-all text-xs">{decision.requestId}</code>],
    ['Account', <span key="a"><AccountLink id={decision.accountId}>{decision.accountName ?? decision.accountId}</AccountLink><br /><code className="text-xs">{decision.accountId}</code></span>],
    ['Caller region', decision.callerRegion],
    ['Serving region', decision.servingRegion ?? '–'],
    ['Provider', decision.provider],
    ['Channel', decision.channel],
    ['Model', decision.model ?? '–'],
    ['Source', <span key="s">Batch <AppLink className="underline" href={`/uploads/${decision.batchId}`}>#{decision.batchId}</AppLink>, line {decision.batchLine}</span>],
    ['Decision id', <code key="i" className="text-xs">{decision.id}</code>],
  ] : [];

  return (
    <div className="fixed inset-0 z-40 flex justify-end" onKeyDown={onKeyDown}>
      <AppLink href={closeHref} scroll={false} replace aria-hidden tabIndex={-1} className="absolute inset-0 bg-slate-900/30 dark:bg-black/50" />
      <div ref={panel} role="dialog" aria-modal="true" aria-labelledby="decision-drawer-title" data-testid="decision-drawer"
        className="relative h-full w-full max-w-md overflow-y-auto border-l border-slate-200 bg-white p-6 shadow-xl dark:border-slate-800 dark:bg-slate-900">
        <div className="mb-4 flex items-start justify-between gap-3">
          <h2 id="decision-drawer-title" className="text-lg font-semibold">Decision details</h2>
          <AppLink ref={closeRef} href={closeHref} scroll={false} replace className="rounded-md border border-slate-300 px-2 py-1 text-sm dark:border-slate-700">Close</AppLink>
        </div>
        {decision ? (
          <>
            <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-2 text-sm">
              {rows.map(([label, value]) => (
                <div key={label} className="contents">
                  <dt className="text-slate-500 dark:text-slate-400">{label}</dt>
                  <dd className="min-w-0">{value}</dd>
                </div>
              ))}
            </dl>
            <AppLink className="mt-6 inline-block text-sm text-sky-700 underline dark:text-sky-400"
              href={href('/decisions', withParams(new URLSearchParams(), { request: decision.requestId, ...(tz !== 'UTC' ? { tz } : {}) }))}>
              Every decision with this request id
            </AppLink>
          </>
        ) : (
          <p role="status" className="text-sm">There is no decision with id {id}. It may have been a link from another Gatewatch.</p>
        )}
      </div>
    </div>
  );
}
