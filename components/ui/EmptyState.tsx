import { AppLink } from '@/components/ui/AppLink';

export function EmptyState({ title, children, resetHref }: { title: string; children?: React.ReactNode; resetHref?: string }) {
  return (
    <div role="status" className="rounded-xl border border-dashed border-slate-300 p-10 text-center dark:border-slate-700">
      <h2 className="text-lg font-semibold">{title}</h2>
      {children ? <div className="mt-2 text-sm text-slate-600 dark:text-slate-400">{children}</div> : null}
      {resetHref ? (
        <AppLink href={resetHref} className="mt-4 inline-block text-sm font-medium text-sky-700 underline dark:text-sky-400">
          Reset filters
        </AppLink>
      ) : null}
    </div>
  );
}

export function PageTitle({ title, subtitle, actions }: { title: string; subtitle?: React.ReactNode; actions?: React.ReactNode }) {
  return (
    <div className="mb-6 flex flex-wrap items-end justify-between gap-3">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {subtitle ? <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{subtitle}</p> : null}
      </div>
      {actions ? <div>{actions}</div> : null}
    </div>
  );
}

export function Card({ title, children, className = '' }: { title?: string; children: React.ReactNode; className?: string }) {
  return (
    <section className={`rounded-xl border border-slate-200 bg-white p-5 dark:border-slate-800 dark:bg-slate-900 ${className}`}>
      {title ? <h2 className="mb-3 text-sm font-semibold text-slate-700 dark:text-slate-300">{title}</h2> : null}
      {children}
    </section>
  );
}

export function Stat({ label, value, tone }: { label: string; value: string; tone?: 'allowed' | 'blocked' }) {
  const color = tone === 'allowed' ? 'text-allowed' : tone === 'blocked' ? 'text-blocked' : '';
  return (
    <Card>
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</p>
      <p className={`mt-1 text-2xl font-semibold tabular-nums ${color}`} data-testid={`stat-${label.toLowerCase().replace(/\s+/g, '-')}`}>
        {value}
      </p>
    </Card>
  );
}
