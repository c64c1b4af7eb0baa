// The one definition of "the policy in force for a decision": the version of its
// provider, caller region and own channel whose span holds the decision's time, or else
// the provider-wide version (channel null) whose span holds it. The catalogue's exclusion
// constraint leaves at most one of each, so the two joins find at most one row apiece.
// Spans are half-open: a version effective from T governs a decision made exactly at T,
// and one effective to T no longer does.

export type PolicyStatus = 'supported' | 'unsupported' | 'restricted';
export const POLICY_STATUSES = ['supported', 'unsupported', 'restricted'] as const satisfies readonly PolicyStatus[];

const holds = (p: string, d: string) =>
  `${p}.provider = ${d}.provider AND ${p}.region = ${d}.caller_region AND ${p}.effective_from <= ${d}.occurred_at AND (${p}.effective_to IS NULL OR ${d}.occurred_at < ${p}.effective_to)`;

/**
 * LEFT JOINs for the decisions aliased `d` (any relation with provider, channel,
 * caller_region and occurred_at); the policy in force is then `coalesce(pc.x, pw.x)`, as
 * IN_FORCE_ID and IN_FORCE_STATUS spell out.
 */
export function policyInForceJoins(d = 'd'): string {
  return `LEFT JOIN region_policies pc ON ${holds('pc', d)} AND pc.channel = ${d}.channel
     LEFT JOIN region_policies pw ON pc.id IS NULL AND ${holds('pw', d)} AND pw.channel IS NULL`;
}

export const IN_FORCE_ID = 'coalesce(pc.id, pw.id)';
export const IN_FORCE_STATUS = 'coalesce(pc.status, pw.status)';

/**
 * Whether a decision contradicts the policy in force: allowed while its region was
 * unsupported, or blocked while it was supported. Restricted regions are served with
 * conditions, so neither outcome contradicts them.
 */
export function contradictsPolicy(d = 'd'): string {
  return `((${d}.decision = 'allowed' AND ${IN_FORCE_STATUS} = 'unsupported') OR (${d}.decision = 'blocked' AND ${IN_FORCE_STATUS} = 'supported'))`;
}
