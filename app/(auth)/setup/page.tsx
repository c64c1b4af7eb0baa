import type { Metadata } from 'next';
import { notFound } from 'next/navigation';

import { hasAnyUser } from '@/lib/auth/users';
import { prisma } from '@/lib/db/client';

import { SetupForm } from './SetupForm';

export const metadata: Metadata = { title: 'Set up' };

// One-time page: once any user exists it does not exist any more (404).
export default async function SetupPage() {
  if (await hasAnyUser(prisma())) notFound();
  return <SetupForm />;
}
