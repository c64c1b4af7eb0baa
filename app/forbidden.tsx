import { AppLink } from '@/components/ui/AppLink';

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-lg p-10">
      <h1 className="text-2xl font-semibold">You do not have access to this page</h1>
      <p className="mt-3 text-slate-600 dark:text-slate-400">
        Your role does not allow it. Ask an administrator if you need access.
      </p>
      <AppLink href="/overview" className="mt-6 inline-block text-sky-700 underline dark:text-sky-400">
        Back to the overview
      </AppLink>
    </main>
  );
}
