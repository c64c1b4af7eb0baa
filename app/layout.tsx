import type { Metadata } from 'next';
import { cookies } from 'next/headers';

import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Gatewatch', template: '%s · Gatewatch' },
  description: 'Compliance audit dashboard for AI API access decisions',
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // The theme is a cookie so the server renders the right one: no flash on load.
  const theme = (await cookies()).get('gw_theme')?.value === 'dark' ? 'dark' : 'light';
  return (
    <html lang="en" className={theme === 'dark' ? 'dark' : undefined}>
      <body className="min-h-screen antialiased">{children}</body>
    </html>
  );
}
