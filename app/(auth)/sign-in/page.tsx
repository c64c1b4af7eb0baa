import type { Metadata } from 'next';
import { redirect } from 'next/navigation';

import { currentUser } from '@/lib/auth/request';
import { hasAnyUser } from '@/lib/auth/users';
import { prisma } from '@/lib/db/client';

import { SignInForm } from './SignInForm';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string }> }) {
  if (!(await hasAnyUser(prisma()))) redirect('/setup');
  if (await currentUser()) redirect('/overview');
  const { next } = await searchParams;
  return <SignInForm next={typeof next === 'string' ? next : '/overview'} />;
}
