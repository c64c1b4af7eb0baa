'use client';

import { useActionState } from 'react';

import { AuthCard, Field, FormError, SubmitButton } from '@/components/ui/AuthCard';

import { setupAction, type FormState } from '../actions';

export function SetupForm() {
  const [state, action, pending] = useActionState<FormState, FormData>(setupAction, { error: null });
  return (
    <AuthCard title="Create the first administrator" subtitle="Gatewatch has no users yet. This page disappears once you are done.">
      <form action={action}>
        <FormError message={state.error} />
        <Field label="Name" name="name" autoComplete="name" required={false} />
        <Field label="Email" name="email" type="email" autoComplete="username" />
        <Field label="Password (10 characters or more)" name="password" type="password" autoComplete="new-password" />
        <Field label="Repeat the password" name="confirm" type="password" autoComplete="new-password" />
        <SubmitButton pending={pending}>{pending ? 'Creating…' : 'Create administrator'}</SubmitButton>
      </form>
    </AuthCard>
  );
}
