import type { DecisionRow } from '@/lib/ingest/validate';

import { pick, sampler, seededRandom, weighted, type Random } from './random';
import {
  ALWAYS_BLOCKED,
  companyName,
  OPENAI_BLOCKED_REGIONS,
  REGIONS,
  ROUTES,
  SANCTIONED_REGIONS,
  type RouteName,
} from './world';

const DAY_MS = 86_400_000;

export interface DemoOptions {
  rows: number;
  /** End of the demo period; it spans the 90 days before. */
  now: Date;
  seed?: number;
}

/** Days after the policy date during which the demo's reseller still lets some calls through. */
const RESELLER_LAG_DAYS = 12;

/** The day OpenAI's direct API starts blocking unsupported regions in the demo. */
export function demoPolicyDate(now: Date): Date {
  const day = new Date(now.getTime() - 55 * DAY_MS);
  day.setUTCHours(0, 0, 0, 0);
  return day;
}

interface DemoAccount {
  id: string;
  name: string;
  region: string;
  utcOffset: number;
  routes: RouteName[];
  /** Relative activity; a few accounts make most of the traffic. */
  weight: number;
  kycMissing: boolean;
}

function routesFor(region: string, random: Random): RouteName[] {
  const china = region === 'CN' || region === 'HK' || region === 'MO';
  if (china) {
    // The story: many Chinese accounts used OpenAI directly and Azure China, and keep
    // the Azure China route when the direct one is blocked.
    const r = random();
    if (r < 0.45) return ['openaiDirect', 'azureChina'];
    if (r < 0.7) return ['openaiDirect'];
    if (r < 0.85) return ['azureChina'];
    return ['openaiReseller', 'azureChina'];
  }
  const all: RouteName[] = ['openaiDirect', 'openaiReseller', 'azureGlobal', 'anthropicDirect', 'anthropicBedrock',
    'geminiDirect', 'geminiVertex', 'mistralDirect'];
  const primary = weighted<RouteName>(random, [['openaiDirect', 40], ['azureGlobal', 20], ['anthropicDirect', 15],
    ['anthropicBedrock', 8], ['geminiDirect', 6], ['geminiVertex', 4], ['openaiReseller', 5], ['mistralDirect', 3]]);
  const routes = new Set<RouteName>([primary]);
  if (random() < 0.35) routes.add(pick(random, all));
  if (random() < 0.1) routes.add(pick(random, all));
  return [...routes];
}

function makeAccounts(count: number, random: Random): DemoAccount[] {
  const regionTable = REGIONS.map(([code, weight, offset]) => [[code, offset] as const, weight] as const);
  return Array.from({ length: count }, (_, i) => {
    const [region, utcOffset] = weighted(random, regionTable);
    return {
      id: `acct_${(100000 + i).toString(36)}${Math.floor(random() * 1296).toString(36).padStart(2, '0')}`,
      name: `${companyName(i)}${region === 'US' ? '' : ` (${region})`}`,
      region,
      utcOffset,
      routes: routesFor(region, random),
      weight: Math.pow(random(), 3) * 50 + 0.2,
      kycMissing: random() < 0.03,
    };
  });
}

// Share of traffic by local hour: quiet nights, busy office hours.
const HOUR_SHAPE = [2, 1.5, 1, 1, 1, 1.5, 3, 5, 8, 10, 10, 9, 8, 9, 10, 10, 9, 7, 5, 4, 3.5, 3, 2.5, 2];
const pickHour = sampler(HOUR_SHAPE.map((w, h) => [h, w] as const));

function decide(
  account: DemoAccount,
  route: (typeof ROUTES)[RouteName],
  at: number,
  policyFrom: number,
  random: Random,
): Pick<DecisionRow, 'decision' | 'reason' | 'policyVersion'> {
  const region = account.region;
  const routeKey = `${route.provider}/${route.channel}`;
  if ((SANCTIONED_REGIONS as readonly string[]).includes(region)) {
    return { decision: 'blocked', reason: 'sanctions', policyVersion: 'sanctions-2024.1' };
  }
  if (route.provider === 'openai' && (OPENAI_BLOCKED_REGIONS as readonly string[]).includes(region) && at >= policyFrom) {
    // The reseller enforces the new policy late: for its first days some calls still pass,
    // which is what the Violations view exists to find.
    const lagging = route.channel === 'reseller-acme' && at < policyFrom + RESELLER_LAG_DAYS * DAY_MS;
    if (!(lagging && random() < 0.35)) return { decision: 'blocked', reason: 'unsupported_region', policyVersion: 'openai-2024-07' };
    return { decision: 'allowed', reason: undefined, policyVersion: 'acme-2024.1' };
  }
  if ((ALWAYS_BLOCKED[route.provider] ?? ALWAYS_BLOCKED[routeKey] ?? []).includes(region)) {
    return { decision: 'blocked', reason: 'unsupported_region', policyVersion: `${route.provider}-2024.1` };
  }
  if (account.kycMissing && random() < 0.6) {
    return { decision: 'blocked', reason: 'kyc_missing', policyVersion: 'kyc-2024.2' };
  }
  const r = random();
  if (r < 0.004) return { decision: 'blocked', reason: 'abuse_detected', policyVersion: 'trust-2024.3' };
  if (r < 0.012) return { decision: 'blocked', reason: 'rate_limited', policyVersion: undefined };
  return { decision: 'allowed', reason: undefined, policyVersion: route.provider === 'openai' && at >= policyFrom ? 'openai-2024-07' : `${route.provider}-2024.1` };
}

/**
 * Generates demo decisions in chunks, oldest first. Deterministic for a given seed and now.
 */
export function* generateDemoDecisions(options: DemoOptions, chunkSize = 5000): Generator<DecisionRow[]> {
  const random = seededRandom(options.seed ?? 2024);
  const accountCount = Math.max(50, Math.min(20_000, Math.round(options.rows / 200)));
  const accounts = makeAccounts(accountCount, random);
  const pickAccount = sampler(accounts.map((a) => [a, a.weight] as const));
  const end = options.now.getTime();
  const startDay = Math.floor((end - 90 * DAY_MS) / DAY_MS) * DAY_MS;
  const days = Math.ceil((end - startDay) / DAY_MS);
  // Weekly rhythm and slow growth over the period.
  const pickDay = sampler(Array.from({ length: days }, (_, d) => {
    const weekday = new Date(startDay + d * DAY_MS).getUTCDay();
    return [d, (weekday === 0 || weekday === 6 ? 0.45 : 1) * (0.8 + (0.4 * d) / days)] as const;
  }));
  const policyFrom = demoPolicyDate(options.now).getTime();

  let chunk: DecisionRow[] = [];
  let produced = 0;
  // Draw per account so an account's calls can be sorted; emit in time order per chunk window.
  while (produced < options.rows) {
    const account = pickAccount(random);
    const routeName = pick(random, account.routes);
    const route = ROUTES[routeName];
    const day = pickDay(random);
    const localHour = pickHour(random);
    let at = startDay + day * DAY_MS + (localHour - account.utcOffset) * 3_600_000 + Math.floor(random() * 3_600_000);
    if (at > end) at = end - Math.floor(random() * 3_600_000);
    if (at < startDay) at = startDay + Math.floor(random() * 3_600_000);
    const verdict = decide(account, route, at, policyFrom, random);
    produced += 1;
    chunk.push({
      occurredAt: new Date(at).toISOString(),
      requestId: `req_${produced.toString(36).padStart(7, '0')}${Math.floor(random() * 0xffffff).toString(16).padStart(6, '0')}`,
      accountId: account.id,
      accountName: account.name,
      callerRegion: account.region,
      servingRegion: pick(random, route.servingRegions),
      provider: route.provider,
      channel: route.channel,
      model: pick(random, route.models),
      ...verdict,
    });
    if (chunk.length === chunkSize) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

export interface DemoPolicy {
  provider: string;
  channel: string | null;
  region: string;
  status: 'supported' | 'unsupported' | 'restricted';
  effectiveFrom: Date;
  effectiveTo: Date | null;
  note: string;
  /** Index in the list of the version this one supersedes. */
  supersedes: number | null;
}

/**
 * The catalogue behind the demo: OpenAI serves CN, HK, MO and RU until the policy date and
 * not from then on (the July 2024 change, as a superseding version), never IR or KP;
 * Azure OpenAI serves CN only through the 21Vianet channel (a channel's version overriding
 * the provider-wide one); Anthropic and Gemini never serve the regions they never did.
 */
export function demoPolicies(now: Date): DemoPolicy[] {
  const policyDate = demoPolicyDate(now);
  const periodStart = new Date(now.getTime() - 90 * DAY_MS);
  periodStart.setUTCHours(0, 0, 0, 0);
  const policies: DemoPolicy[] = [];
  const add = (p: Omit<DemoPolicy, 'effectiveTo' | 'supersedes'> & Partial<Pick<DemoPolicy, 'effectiveTo' | 'supersedes'>>) =>
    policies.push({ effectiveTo: null, supersedes: null, ...p }) - 1;
  for (const region of OPENAI_BLOCKED_REGIONS) {
    if ((SANCTIONED_REGIONS as readonly string[]).includes(region)) {
      add({ provider: 'openai', channel: null, region, status: 'unsupported', effectiveFrom: periodStart, note: 'Sanctioned region' });
      continue;
    }
    const before = add({ provider: 'openai', channel: null, region, status: 'supported', effectiveFrom: periodStart,
      effectiveTo: policyDate, note: 'Served before the July 2024 change' });
    add({ provider: 'openai', channel: null, region, status: 'unsupported', effectiveFrom: policyDate, supersedes: before,
      note: 'OpenAI blocks API traffic from unsupported regions (https://help.openai.com/en/articles/5347006-openai-api-supported-countries-and-territories)' });
  }
  for (const region of ALWAYS_BLOCKED['azure-openai/azure-global'] ?? []) {
    add({ provider: 'azure-openai', channel: null, region, status: 'unsupported', effectiveFrom: periodStart, note: 'Not served by Azure OpenAI global regions' });
  }
  add({ provider: 'azure-openai', channel: 'azure-china-21vianet', region: 'CN', status: 'supported',
    effectiveFrom: periodStart, note: 'Served by the 21Vianet joint venture from models outside China' });
  for (const provider of ['anthropic', 'google-gemini'] as const) {
    for (const region of ALWAYS_BLOCKED[provider] ?? []) {
      add({ provider, channel: null, region, status: 'unsupported', effectiveFrom: periodStart, note: 'Unsupported region' });
    }
  }
  return policies;
}
