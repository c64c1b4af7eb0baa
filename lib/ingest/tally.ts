import { copyValue } from '@/lib/db/copy-format';

import type { DecisionRow } from './validate';

// The counts and account spans of a batch's accepted rows, tallied in Node while the rows
// stream past (lib/rollups/write-batch.ts writes them at the end).
//
// Why in Node: PostgreSQL is the bottleneck of an ingest (one backend maintains four
// indexes on access_decisions) while Node, on the other core, has time to spare. The
// former merge grouped the rows it had inserted (INSERT ... RETURNING into GROUP BY) at a
// cost of ~3 s of that backend per million rows; now the backend only writes the groups.
// Rows the database turns away as duplicates never count: what a segment added is undone
// when its COPY fails (`rollback`), and a segment merged in SQL tallies there instead.

/** Room for combination ids in a numeric hour key; past half of it the tally is spilled. */
export const COMBO_SPACE = 2 ** 21;
/** Room for account × route ids in a numeric day key. */
export const ACCOUNT_ROUTE_SPACE = 2 ** 32;
const HOUR_MICROS = 3_600_000_000;
const QUARTER_MICROS = 900_000_000;

/**
 * A copy that does not share memory with the text it was cut from: strings the parser
 * hands over are slices of a 64 KB piece of the file, which a kept slice keeps alive.
 */
export function detach(text: string): string {
  return (' ' + text).slice(1);
}

type Level = Map<string, Level | number>;

/** A route text's four columns (routeTexts): slugs and codes, so no COPY escape to undo. */
export interface RouteParts {
  callerRegion: string;
  provider: string;
  channel: string;
  decision: string;
}

export function routeParts(text: string): RouteParts {
  const [callerRegion, provider, channel, decision] = text.split('\t') as [string, string, string, string];
  return { callerRegion, provider, channel, decision };
}

/**
 * Dimension combinations as small ids: the rollups' six (region, provider, channel,
 * decision, reason, model), and each one's route, the four the per-account counts keep.
 */
export class Combos {
  // One map per dimension rather than one keyed by the joined values: building and
  // hashing a joined key per row measured twice as slow.
  private readonly root: Level = new Map();
  /** COPY text of each combination's six rollup columns, tab-separated, by id. */
  readonly texts: string[] = [];
  /** Route id of each combination. */
  readonly routeOf: number[] = [];
  private readonly routeIds = new Map<string, number>();
  /** COPY text of each route's four columns (region, provider, channel, decision). */
  readonly routeTexts: string[] = [];

  idOf(row: Pick<DecisionRow, 'callerRegion' | 'provider' | 'channel' | 'decision' | 'reason' | 'model'>): number {
    const byModel = this.level(
      this.level(this.level(this.level(this.level(this.root, row.callerRegion), row.provider), row.channel), row.decision),
      row.reason ?? '',
    );
    const id = byModel.get(row.model ?? '') as number | undefined;
    return id ?? this.create(byModel, row);
  }

  private level(map: Level, key: string): Level {
    let next = map.get(key) as Level | undefined;
    if (next === undefined) {
      next = new Map();
      map.set(detach(key), next);
    }
    return next;
  }

  private create(byModel: Level, row: Parameters<Combos['idOf']>[0]): number {
    const id = this.texts.length;
    byModel.set(detach(row.model ?? ''), id);
    // Slugs, region and decision never need COPY escaping (validated); free text may.
    const route = detach(`${row.callerRegion}\t${row.provider}\t${row.channel}\t${row.decision}`);
    this.texts.push(`${route}\t${row.reason === undefined ? '' : copyValue(row.reason)}\t` +
      `${row.model === undefined ? '' : copyValue(row.model)}`);
    let routeId = this.routeIds.get(route);
    if (routeId === undefined) {
      routeId = this.routeTexts.length;
      this.routeIds.set(route, routeId);
      this.routeTexts.push(route);
    }
    this.routeOf.push(routeId);
    return id;
  }

  get size(): number {
    return this.texts.length;
  }

  clear(): void {
    this.root.clear();
    this.texts.length = 0;
    this.routeOf.length = 0;
    this.routeIds.clear();
    this.routeTexts.length = 0;
  }
}

const ZERO = 48;
const digit = (text: string, at: number) => text.charCodeAt(at) - ZERO;

/**
 * Microseconds since 1970 of a DecisionRow time: `YYYY-MM-DDTHH:MM:SS.mmmZ`, or
 * `.mmmuuuZ` with microseconds (always UTC, always this shape; see time.ts). Read from
 * the digits: a Date per row, or comparing the strings, cost the tally a second per
 * million rows. Exact in a double for every year up to 2255.
 */
export function isoMicros(iso: string): number {
  let year = digit(iso, 0) * 1000 + digit(iso, 1) * 100 + digit(iso, 2) * 10 + digit(iso, 3);
  const month = digit(iso, 5) * 10 + digit(iso, 6);
  const day = digit(iso, 8) * 10 + digit(iso, 9);
  // H. Hinnant's days_from_civil.
  if (month <= 2) year -= 1;
  const era = Math.floor(year / 400);
  const yearOfEra = year - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const days = era * 146_097 + yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear - 719_468;
  const seconds =
    ((days * 24 + digit(iso, 11) * 10 + digit(iso, 12)) * 60 + digit(iso, 14) * 10 + digit(iso, 15)) * 60 +
    digit(iso, 17) * 10 + digit(iso, 18);
  const millis = digit(iso, 20) * 100 + digit(iso, 21) * 10 + digit(iso, 22);
  const micros = iso.length > 24 ? digit(iso, 23) * 100 + digit(iso, 24) * 10 + digit(iso, 25) : 0;
  return seconds * 1_000_000 + millis * 1000 + micros;
}

export function microsIso(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const rest = micros - millis * 1000;
  const iso = new Date(millis).toISOString();
  return rest === 0 ? iso : `${iso.slice(0, 23)}${String(rest).padStart(3, '0')}Z`;
}

/** How many different keys two sorted runs hold together (either may repeat a key). */
export function distinctKeys(a: Float64Array, b: Float64Array): number {
  let n = 0;
  let i = 0;
  let j = 0;
  // NaN equals no key, so the first key always counts.
  let last = NaN;
  while (i < a.length || j < b.length) {
    const key = j === b.length || (i < a.length && a[i]! <= b[j]!) ? a[i++]! : b[j++]!;
    if (key !== last) {
      n += 1;
      last = key;
    }
  }
  return n;
}

/**
 * Row counts per numeric key, as two parallel arrays sorted by key. A segment's rows
 * only append their keys (`pending`); `commit` sorts them, counts runs and merges them
 * in. A hash map touched per row measured ~0.7 s per million rows at 400k groups (a
 * cache miss on every row); this costs ~0.1 s, takes 16 bytes a group instead of ~100,
 * and undoing a segment is forgetting its keys.
 */
export class SortedCounts {
  keys: Float64Array = new Float64Array(0);
  counts: Float64Array = new Float64Array(0);
  private pending = new Float64Array(1024);
  private pendingLength = 0;

  add(key: number): void {
    if (this.pendingLength === this.pending.length) {
      const grown = new Float64Array(this.pending.length * 2);
      grown.set(this.pending);
      this.pending = grown;
    }
    this.pending[this.pendingLength++] = key;
  }

  get length(): number {
    return this.keys.length;
  }

  commit(): void {
    this.prepare()();
  }

  /**
   * Does the work of `commit` (sorting the pending keys, merging them into new arrays)
   * without changing what the counts hold, and returns what makes it take effect. In
   * between, no key may be added.
   */
  prepare(): () => void {
    if (this.pendingLength === 0) return () => undefined;
    const added = this.pending.subarray(0, this.pendingLength).sort();
    const merged = this.merged(added, null);
    return () => {
      this.pendingLength = 0;
      [this.keys, this.counts] = merged;
    };
  }

  rollback(): void {
    this.pendingLength = 0;
  }

  /** Adds counts for keys in any order (from SQL), outside any segment. */
  addCounts(keys: number[], counts: number[]): void {
    const order = keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]!);
    [this.keys, this.counts] = this.merged(Float64Array.from(order, (i) => keys[i]!), Float64Array.from(order, (i) => counts[i]!));
  }

  /**
   * The counts with sorted keys merged in; `addedCounts` null means one for each.
   *
   * The result is allocated at its exact size, counted by a first pass over both runs:
   * allocating for the worst case (old + added) and then `slice`-ing held the old arrays,
   * the oversized ones and the slices at once (on the 1 GiB bench's rows the tally's
   * typed arrays peaked at 183 MiB that way, 114 MiB sized exactly). The extra pass costs
   * ~12 ms per million keys, spent while the database still works on the segment.
   */
  private merged(added: Float64Array, addedCounts: Float64Array | null): [Float64Array, Float64Array] {
    const { keys, counts } = this;
    const size = distinctKeys(keys, added);
    const mergedKeys = new Float64Array(size);
    const mergedCounts = new Float64Array(size);
    let n = 0;
    let i = 0;
    let j = 0;
    while (i < keys.length || j < added.length) {
      let key: number;
      let count: number;
      if (j === added.length || (i < keys.length && keys[i]! <= added[j]!)) {
        key = keys[i]!;
        count = counts[i++]!;
      } else {
        key = added[j]!;
        count = addedCounts === null ? 1 : addedCounts[j]!;
        j++;
      }
      if (n > 0 && mergedKeys[n - 1] === key) {
        mergedCounts[n - 1]! += count;
      } else {
        mergedKeys[n] = key;
        mergedCounts[n++] = count;
      }
    }
    return [mergedKeys, mergedCounts];
  }

  clear(): void {
    this.keys = new Float64Array(0);
    this.counts = new Float64Array(0);
    this.pendingLength = 0;
  }
}

/** Times are integer microseconds since 1970; `nameAt` is -1 while no row had a name. */
interface AccountSpan {
  first: number;
  last: number;
  name: string | undefined;
  nameAt: number;
  /** Route id → account route id (see DecisionTally.accountRoutes). */
  routes: Map<number, number>;
  /** Segment that last changed the span (see DecisionTally.begin). */
  epoch: number;
}

type SpanBefore = Omit<AccountSpan, 'routes' | 'epoch'>;

/**
 * Counts per hour × combination and per day and hour × account × route, and account spans, of
 * the rows that went in. What was added since `begin` can be undone (`rollback`).
 */
export class DecisionTally {
  /** hour index × COMBO_SPACE + combination id → rows. */
  readonly hourly = new SortedCounts();
  /** The same per day (day index × COMBO_SPACE + combination id), kept rather than derived at the end. */
  readonly daily = new SortedCounts();
  /** day index × ACCOUNT_ROUTE_SPACE + account route id → rows. */
  readonly accountDaily = new SortedCounts();
  /** The same per hour (hour index × ACCOUNT_ROUTE_SPACE: below 2^53 for every hour up to 2100, the latest accepted). */
  readonly accountHourly = new SortedCounts();
  /** quarter hour index (since 1970) × COMBO_SPACE + route id → rows: region-route-quarters.ts. */
  readonly quarters = new SortedCounts();
  readonly accounts = new Map<string, AccountSpan>();
  /** Account and route of each account route id. */
  readonly accountRoutes: { account: string[]; route: number[] } = { account: [], route: [] };
  private epoch = 0;
  /** Accounts the open segment added, and spans as they were before it changed them. */
  private undoAccounts: Array<{ id: string; before: SpanBefore | null }> = [];

  constructor(readonly combos: Combos) {}

  add(row: DecisionRow): void {
    const at = isoMicros(row.occurredAt);
    const hour = Math.floor(at / HOUR_MICROS);
    const combo = this.combos.idOf(row);
    this.hourly.add(hour * COMBO_SPACE + combo);
    const day = Math.floor(hour / 24);
    this.daily.add(day * COMBO_SPACE + combo);
    this.quarters.add(Math.floor(at / QUARTER_MICROS) * COMBO_SPACE + this.combos.routeOf[combo]!);

    const name = row.accountName;
    let span = this.accounts.get(row.accountId);
    if (span === undefined) {
      span = this.createSpan(detach(row.accountId), at, at, name === undefined ? undefined : detach(name), name === undefined ? -1 : at);
      this.undoAccounts.push({ id: row.accountId, before: null });
    } else {
      if (span.epoch !== this.epoch) {
        span.epoch = this.epoch;
        this.undoAccounts.push({ id: row.accountId, before: { first: span.first, last: span.last, name: span.name, nameAt: span.nameAt } });
      }
      if (at < span.first) span.first = at;
      if (at > span.last) span.last = at;
      // The latest name wins; on equal times the later line.
      if (name !== undefined && at >= span.nameAt) {
        if (name !== span.name) span.name = detach(name);
        span.nameAt = at;
      }
    }
    const accountRoute = this.accountRoute(span, row.accountId, this.combos.routeOf[combo]!);
    this.accountDaily.add(day * ACCOUNT_ROUTE_SPACE + accountRoute);
    this.accountHourly.add(hour * ACCOUNT_ROUTE_SPACE + accountRoute);
  }

  private createSpan(id: string, first: number, last: number, name: string | undefined, nameAt: number): AccountSpan {
    const span = { first, last, name, nameAt, routes: new Map<number, number>(), epoch: this.epoch };
    this.accounts.set(id, span);
    return span;
  }

  /** Ids stay assigned when a segment is undone: an id without rows is never written. */
  private accountRoute(span: AccountSpan, accountId: string, route: number): number {
    let id = span.routes.get(route);
    if (id === undefined) {
      id = this.accountRoutes.route.length;
      span.routes.set(route, id);
      this.accountRoutes.account.push(detach(accountId));
      this.accountRoutes.route.push(route);
    }
    return id;
  }

  /** Adds an account span tallied elsewhere (in SQL), outside any segment. */
  addSpan(id: string, first: number, last: number, name: string | undefined, nameAt: number): void {
    const span = this.accounts.get(id);
    if (span === undefined) {
      this.createSpan(id, first, last, name, nameAt);
      return;
    }
    if (first < span.first) span.first = first;
    if (last > span.last) span.last = last;
    if (name !== undefined && nameAt >= span.nameAt) {
      span.name = name;
      span.nameAt = nameAt;
    }
  }

  /** The account daily (or, given an hour, hourly) key of counts tallied elsewhere (the account's span exists). */
  accountRouteKey(bucket: number, accountId: string, route: Parameters<Combos['idOf']>[0]): number {
    const span = this.accounts.get(accountId)!;
    return bucket * ACCOUNT_ROUTE_SPACE + this.accountRoute(span, accountId, this.combos.routeOf[this.combos.idOf(route)]!);
  }

  /** Opens a segment whose additions `rollback` can undo. */
  begin(): void {
    this.epoch += 1;
    this.undoAccounts = [];
  }

  commit(): void {
    this.prepareCommit()();
  }

  /**
   * The work of `commit` (sorting and merging the segment's keys), done while the
   * database is still busy with the segment; the returned function makes it take effect.
   */
  prepareCommit(): () => void {
    const parts = [this.hourly.prepare(), this.daily.prepare(), this.accountDaily.prepare(), this.accountHourly.prepare(), this.quarters.prepare()];
    return () => {
      for (const apply of parts) apply();
      this.begin();
    };
  }

  rollback(): void {
    this.hourly.rollback();
    this.daily.rollback();
    this.accountDaily.rollback();
    this.accountHourly.rollback();
    this.quarters.rollback();
    for (const { id, before } of this.undoAccounts) {
      if (before === null) this.accounts.delete(id);
      else Object.assign(this.accounts.get(id)!, before);
    }
    this.begin();
  }

  /** Whether the tally should be spilled before it holds more (between segments). */
  isLarge(limits: { groups: number; accounts: number }): boolean {
    return (
      this.hourly.length + this.accountDaily.length + this.accountHourly.length + this.quarters.length >= limits.groups ||
      this.accounts.size >= limits.accounts ||
      this.combos.size >= COMBO_SPACE / 2 ||
      this.accountRoutes.route.length >= ACCOUNT_ROUTE_SPACE / 2
    );
  }

  get size(): number {
    return this.hourly.length + this.accountDaily.length + this.accountHourly.length + this.quarters.length + this.accounts.size;
  }

  /** Empties the tally (after a spill), combinations included. */
  clear(): void {
    this.hourly.clear();
    this.daily.clear();
    this.accountDaily.clear();
    this.accountHourly.clear();
    this.quarters.clear();
    this.accounts.clear();
    this.accountRoutes.account.length = 0;
    this.accountRoutes.route.length = 0;
    this.combos.clear();
    this.begin();
  }
}
