'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';

import { clientIp, requireAction } from '@/lib/auth/request';
import { db } from '@/lib/db/client';
import { addPolicy, closePolicy, PolicyChangeError, supersedePolicy } from '@/lib/policy/catalogue';

export interface PolicyActionState {
  error: string | null;
  message: string | null;
}

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
};

/** A date-time input's value is local to the browser; the form sends it as UTC (`…Z`) or a date. */
async function run(change: () => Promise<string>): Promise<PolicyActionState> {
  try {
    const message = await change();
    // Violation counts and markers change with the catalogue.
    revalidatePath('/', 'layout');
    return { error: null, message };
  } catch (error) {
    if (error instanceof PolicyChangeError) return { error: error.message, message: null };
    throw error;
  }
}

const IdSchema = z.coerce.number().int().min(1);

/** The version a close or supersede form names, or the message asking for one. */
function versionId(form: FormData, verb: string): number | PolicyActionState {
  const id = IdSchema.safeParse(form.get('id'));
  return id.success ? id.data : { error: `Choose the version to ${verb}.`, message: null };
}

export async function addPolicyAction(_: PolicyActionState, form: FormData): Promise<PolicyActionState> {
  const admin = await requireAction('addPolicyAction');
  const ip = await clientIp();
  return run(async () => {
    const p = await addPolicy(db().pool, admin, {
      provider: text(form, 'provider') ?? '', channel: text(form, 'channel'), region: text(form, 'region') ?? '',
      status: text(form, 'status') ?? '', effectiveFrom: text(form, 'effectiveFrom') ?? '', effectiveTo: text(form, 'effectiveTo'),
      note: text(form, 'note'),
    }, ip);
    return `Added version #${p.id}: ${p.provider}${p.channel ? `/${p.channel}` : ''} ${p.region} ${p.status} from ${p.effectiveFrom.toISOString()}.`;
  });
}

export async function closePolicyAction(_: PolicyActionState, form: FormData): Promise<PolicyActionState> {
  const admin = await requireAction('closePolicyAction');
  const ip = await clientIp();
  const id = versionId(form, 'close');
  if (typeof id !== 'number') return id;
  return run(async () => {
    const p = await closePolicy(db().pool, admin, id, text(form, 'at') ?? '', ip);
    return `Closed version #${p.id} at ${p.effectiveTo!.toISOString()}.`;
  });
}

export async function supersedePolicyAction(_: PolicyActionState, form: FormData): Promise<PolicyActionState> {
  const admin = await requireAction('supersedePolicyAction');
  const ip = await clientIp();
  const id = versionId(form, 'supersede');
  if (typeof id !== 'number') return id;
  return run(async () => {
    const p = await supersedePolicy(db().pool, admin, id, { at: text(form, 'at') ?? '', status: text(form, 'status') ?? '', note: text(form, 'note') }, ip);
    return `Version #${p.id} (${p.status}) supersedes #${p.supersedesId} from ${p.effectiveFrom.toISOString()}.`;
  });
}
