'use client';

import { useActionState } from 'react';

import { AuthCard, Field, FormError, SubmitButton } from '@/components/ui/AuthCard';

import { signInAction, type FormState } from '../actions';

export function SignInForm({ next }: { next: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(signInAction, { error: null });
  return (
    <AuthCard title="Sign in" subtitle="Access decisions, blocked and allowed, by region, provider and channel.">
      <form action={action}>
        <input type="hidden" name="next" value={next} />
        <FormError message={state.error} />
        <Field label="Email" name="email" type="email" autoComplete="username" />
        <Field label="Password" name="password" type="password" autoComplete="current-password" />
        <SubmitButton pending={pending}>{pending ? 'Signing in…' : 'Sign in'}</SubmitButton>
      </form>
    </AuthCard>
  );
}
