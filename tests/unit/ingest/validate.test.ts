import { describe, expect, it } from 'vitest';
import type { FieldName } from '../../../lib/ingest/fields';
import { validateRecord, type DecisionRow } from '../../../lib/ingest/validate';

const VALID: Record<FieldName, string> = {
  occurred_at: '2024-07-09T08:15:02Z',
  request_id: 'req-1',
  account_id: 'acct-1',
  account_name: 'Acme Inc.',
  caller_region: 'US',
  serving_region: 'eastus',
  provider: 'openai',
  channel: 'direct',
  decision: 'allowed',
  reason: 'unsupported_region',
  policy_version: '2024.07',
  model: 'gpt-4o',
};

function row(overrides: Partial<Record<FieldName, unknown>> = {}): DecisionRow {
  const result = validateRecord({ ...VALID, ...overrides });
  if (!result.ok) throw new Error(`expected a valid row, got: ${result.error}`);
  return result.row;
}

function error(overrides: Partial<Record<FieldName, unknown>>): string {
  const result = validateRecord({ ...VALID, ...overrides });
  if (result.ok) throw new Error('expected the row to be rejected');
  return result.error;
}

describe('a valid record', () => {
  it('becomes a normalised DecisionRow', () => {
    expect(row()).toEqual({
      occurredAt: '2024-07-09T08:15:02.000Z',
      requestId: 'req-1',
      accountId: 'acct-1',
      accountName: 'Acme Inc.',
      callerRegion: 'US',
      servingRegion: 'eastus',
      provider: 'openai',
      channel: 'direct',
      decision: 'allowed',
      reason: 'unsupported_region',
      policyVersion: '2024.07',
      model: 'gpt-4o',
    });
  });

  it('trims every value first', () => {
    const r = row({
      occurred_at: ' 2024-07-09T08:15:02Z\t',
      request_id: '  req-1 ',
      account_name: '\u00a0Acme Inc.\u00a0',
      caller_region: ' gb ',
      provider: ' OpenAI ',
      decision: ' Deny ',
      model: ' gpt-4o\r\n',
    });
    expect(r).toMatchObject({ requestId: 'req-1', accountName: 'Acme Inc.', callerRegion: 'GB', provider: 'openai', decision: 'blocked', model: 'gpt-4o' });
  });

  it('treats empty or whitespace-only optional values, and missing ones, as absent', () => {
    const r = row({ account_name: '', serving_region: '   ', reason: undefined, policy_version: null, model: '\t' });
    expect(r.accountName).toBeUndefined();
    expect(r.servingRegion).toBeUndefined();
    expect(r.reason).toBeUndefined();
    expect(r.policyVersion).toBeUndefined();
    expect(r.model).toBeUndefined();
    const { account_name: _a, serving_region: _s, reason: _r, policy_version: _p, model: _m, ...requiredOnly } = VALID;
    expect(validateRecord(requiredOnly).ok).toBe(true);
  });

  it('keeps inner whitespace, commas, quotes and line breaks', () => {
    expect(row({ account_name: 'Acme, "Inc"\r\nEMEA' }).accountName).toBe('Acme, "Inc"\r\nEMEA');
  });
});

describe('required fields', () => {
  it.each(['occurred_at', 'request_id', 'account_id', 'caller_region', 'provider', 'channel', 'decision'] as const)(
    '%s is required: absent, null, empty or blank is "missing"',
    (field) => {
      for (const value of [undefined, null, '', '   ']) {
        expect(error({ [field]: value })).toBe(`${field} is missing`);
      }
    },
  );

  it('reports every failing rule, in field order, joined by "; "', () => {
    expect(
      error({ occurred_at: 'soon', request_id: '', caller_region: 'ZZ', provider: 'Open AI', decision: 'maybe' }),
    ).toBe(
      [
        'occurred_at "soon" is not a valid time; use ISO 8601 such as 2024-07-09T08:15:02Z or 2024-07-09T16:15:02.250+08:00, or Unix seconds (10 digits) or milliseconds (13 digits)',
        'request_id is missing',
        'caller_region "ZZ" is not an ISO 3166-1 alpha-2 country code',
        'provider "Open AI" is not a valid slug: use letters, digits, ".", "_" and "-", starting with a letter or digit, at most 64 characters',
        'decision "maybe" is neither allowed nor blocked (allowed: allowed, allow, permit, permitted, pass, accept, accepted; blocked: blocked, block, deny, denied, reject, rejected, drop)',
      ].join('; '),
    );
  });

  it('reports all missing fields of an empty record', () => {
    expect(validateRecord({})).toEqual({
      ok: false,
      error:
        'occurred_at is missing; request_id is missing; account_id is missing; caller_region is missing; provider is missing; channel is missing; decision is missing',
    });
  });
});

describe('decision', () => {
  it.each(['allowed', 'allow', 'permit', 'permitted', 'pass', 'accept', 'accepted', 'ALLOWED', 'Permit', 'aCCepT'])(
    '%s means allowed',
    (value) => {
      expect(row({ decision: value }).decision).toBe('allowed');
    },
  );

  it.each(['blocked', 'block', 'deny', 'denied', 'reject', 'rejected', 'drop', 'BLOCKED', 'Denied', 'DROP'])(
    '%s means blocked',
    (value) => {
      expect(row({ decision: value }).decision).toBe('blocked');
    },
  );

  it.each(['allows', 'yes', 'no', 'true', '1', 'dropped', 'block ed', 'pass-through', 'constructor', '__proto__', 'toString'])('%j is rejected', (value) => {
    expect(error({ decision: value })).toMatch(/^decision ".*" is neither allowed nor blocked/);
  });
});

describe('caller_region', () => {
  it('is case-insensitive and stored upper-case', () => {
    expect(row({ caller_region: 'de' }).callerRegion).toBe('DE');
    expect(row({ caller_region: 'xk' }).callerRegion).toBe('XK');
  });

  it('rejects unassigned and reserved codes, hinting GB for UK', () => {
    expect(error({ caller_region: 'ZZ' })).toBe('caller_region "ZZ" is not an ISO 3166-1 alpha-2 country code');
    expect(error({ caller_region: 'uk' })).toBe(
      'caller_region "uk" is not an ISO 3166-1 alpha-2 country code (the United Kingdom is GB)',
    );
    expect(error({ caller_region: 'USA' })).toMatch(/caller_region "USA" is not an ISO 3166-1/);
    expect(error({ caller_region: 'eastus' })).toMatch(/caller_region "eastus"/);
  });
});

describe('slugs (provider, channel)', () => {
  it.each([
    ['openai', 'openai'],
    ['Azure-OpenAI', 'azure-openai'],
    ['azure-china-21vianet', 'azure-china-21vianet'],
    ['reseller.acme_eu', 'reseller.acme_eu'],
    ['0', '0'],
    ['A'.repeat(64), 'a'.repeat(64)],
  ])('accepts %j as %j', (value, stored) => {
    expect(row({ provider: value }).provider).toBe(stored);
    expect(row({ channel: value }).channel).toBe(stored);
  });

  it.each(['-openai', '.hidden', '_x', 'open ai', 'open/ai', 'openai!', 'é', 'a'.repeat(65), 'ａ'])(
    'rejects %j',
    (value) => {
      expect(error({ provider: value })).toMatch(/^provider ".*is not a valid slug/);
      expect(error({ channel: value })).toMatch(/^channel ".*is not a valid slug/);
    },
  );
});

describe('length limits, counted in Unicode code points', () => {
  const limits = [
    ['request_id', 128, 'requestId'],
    ['account_id', 128, 'accountId'],
    ['account_name', 256, 'accountName'],
    ['serving_region', 64, 'servingRegion'],
    ['reason', 128, 'reason'],
    ['policy_version', 64, 'policyVersion'],
    ['model', 128, 'model'],
  ] as const;

  it.each(limits)('%s accepts %i characters and rejects one more', (field, max, key) => {
    expect(row({ [field]: 'x'.repeat(max) })[key]).toHaveLength(max);
    expect(error({ [field]: 'x'.repeat(max + 1) })).toBe(
      `${field} is longer than ${max} characters (it has ${max + 1})`,
    );
  });

  it.each(limits)('%s counts an emoji (two UTF-16 units) as one character', (field, max, key) => {
    const atLimit = '😀'.repeat(max);
    expect(atLimit.length).toBe(2 * max);
    expect(row({ [field]: atLimit })[key]).toBe(atLimit);
    expect(error({ [field]: `${atLimit}é` })).toBe(`${field} is longer than ${max} characters (it has ${max + 1})`);
  });

  it('counts accented and CJK characters as one each', () => {
    expect(row({ account_name: 'é'.repeat(256) }).accountName).toHaveLength(256);
    expect(row({ account_name: '漢'.repeat(256) }).accountName).toHaveLength(256);
    expect(error({ account_name: '漢'.repeat(257) })).toMatch(/account_name is longer than 256 characters/);
  });

  it('measures after trimming', () => {
    expect(row({ request_id: `  ${'x'.repeat(128)}  ` }).requestId).toHaveLength(128);
  });
});

describe('characters PostgreSQL cannot store', () => {
  it('rejects a NUL character in any value', () => {
    expect(error({ request_id: 'a\0b' })).toBe('request_id "a\\u0000b" contains a NUL character, which cannot be stored');
    expect(error({ model: '\0' })).toMatch(/^model .* contains a NUL character/);
  });

  it('rejects U+FFFD, the trace of bytes that were not valid UTF-8', () => {
    expect(error({ account_name: 'Caf\uFFFD' })).toMatch(/^account_name "Caf\uFFFD" contains \uFFFD, the mark of bytes that are not valid UTF-8/);
  });

  it('rejects unpaired surrogates (possible from JSON escapes) but keeps paired ones', () => {
    expect(error({ account_name: 'a\uD800b' })).toMatch(/account_name .* contains an unpaired surrogate/);
    expect(row({ account_name: 'ok 😀' }).accountName).toBe('ok 😀');
  });
});

describe('NDJSON value types', () => {
  it('reads finite numbers as their decimal text', () => {
    const r = row({ occurred_at: 1720512902, request_id: 42, account_id: 7.5, policy_version: 3 });
    expect(r).toMatchObject({ occurredAt: '2024-07-09T08:15:02.000Z', requestId: '42', accountId: '7.5', policyVersion: '3' });
    expect(row({ occurred_at: 1720512902250 }).occurredAt).toBe('2024-07-09T08:15:02.250Z');
  });

  it('treats null as absent', () => {
    expect(row({ reason: null }).reason).toBeUndefined();
    expect(error({ request_id: null })).toBe('request_id is missing');
  });

  it.each([
    [true, 'a boolean (true)'],
    [false, 'a boolean (false)'],
    [{ a: 1 }, 'an object'],
    [['x'], 'an array'],
  ])('rejects %j, naming the field', (value, described) => {
    expect(error({ request_id: value })).toBe(`request_id must be text or a number, not ${described}`);
    expect(error({ model: value })).toBe(`model must be text or a number, not ${described}`);
  });

  it('a number that is not a valid value is reported like text', () => {
    expect(error({ occurred_at: 1720512902.5 })).toMatch(/^occurred_at "1720512902.5" is not a valid time/);
    expect(error({ caller_region: 12 })).toBe('caller_region "12" is not an ISO 3166-1 alpha-2 country code');
  });
});

describe('messages', () => {
  it('shortens long offending values but still names field and value', () => {
    const message = error({ provider: `Bad ${'x'.repeat(1000)}` });
    expect(message).toMatch(/^provider "Bad x+"… \(1004 characters\) is not a valid slug/);
    expect(message.length).toBeLessThan(260);
  });

  it('makes control characters visible', () => {
    expect(error({ caller_region: 'U\nS' })).toBe('caller_region "U\\nS" is not an ISO 3166-1 alpha-2 country code');
  });
});
