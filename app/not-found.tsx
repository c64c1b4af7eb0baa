import { AppLink } from '@/components/ui/AppLink';

export default function NotFound() {
  return (
    <main className="mx-auto max-w-lg p-10">
      <h1 className="text-2xl font-semibold">Page not found</h1>
      <AppLink href="/overview" className="mt-6 inline-block text-sky-700 underline dark:text-sky-400">
        Back to the overview
      </AppLink>
    </main>
  );
}
