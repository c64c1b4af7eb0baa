import { readFileSync } from 'node:fs';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import { ROOT, sourceFiles } from '../../helpers/source-files';

// Each derived table has one home in lib/rollups/ that owns its encoding, writes and
// reads (README, "Architecture"). Code elsewhere that names one of them is reading or
// writing it behind its module's back.

const HOMES: Record<string, string> = {
  decision_counts_hourly: 'lib/rollups/decision-counts.ts',
  decision_counts_daily: 'lib/rollups/decision-counts.ts',
  account_presence_daily: 'lib/rollups/account-presence.ts',
  account_running_monthly: 'lib/rollups/account-running-monthly.ts',
  account_running_vectors: 'lib/rollups/account-running-vectors.ts',
  account_hourly_vectors: 'lib/rollups/account-hourly-vectors.ts',
  account_region_routes: 'lib/rollups/account-region-routes.ts',
  account_routes: 'lib/rollups/account-route-vectors.ts',
  account_route_daily_vectors: 'lib/rollups/account-route-vectors.ts',
  account_route_hourly_vectors: 'lib/rollups/account-route-vectors.ts',
  decision_violations: 'lib/rollups/decision-violations.ts',
  account_violations_monthly: 'lib/rollups/violation-counts.ts',
  violation_counts_hourly: 'lib/rollups/violation-counts.ts',
  account_violation_daily_vectors: 'lib/rollups/violation-counts.ts',
  account_violation_hourly_vectors: 'lib/rollups/violation-counts.ts',
  violation_quarter_vectors: 'lib/rollups/violation-counts.ts',
  region_routes: 'lib/rollups/region-route-quarters.ts',
  region_route_quarter_vectors: 'lib/rollups/region-route-quarters.ts',
};

describe('derived tables', () => {
  const files = sourceFiles('app', 'components', 'lib', 'scripts')
    // The benchmark picks its busiest account straight from a table, as a test would.
    .filter((f) => !f.startsWith('scripts/bench/'));

  it.each(Object.entries(HOMES))('%s is named in code only in lib/rollups/', (table, home) => {
    expect(files).toContain(home);
    const outside = files.filter((f) => !f.startsWith('lib/rollups/') && readFileSync(path.join(ROOT, f), 'utf8').includes(table));
    expect(outside).toEqual([]);
  });
});
