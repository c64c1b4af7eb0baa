import { describe, expect, it } from 'vitest';
import {
  FIELD_NAMES,
  REQUIRED_FIELDS,
  fieldForName,
  mapHeader,
  normaliseHeaderName,
} from '../../../lib/ingest/fields';

describe('field names', () => {
  it('lists the twelve fields in spec order, seven of them required', () => {
    expect(FIELD_NAMES).toEqual([
      'occurred_at', 'request_id', 'account_id', 'account_name', 'caller_region', 'serving_region',
      'provider', 'channel', 'decision', 'reason', 'policy_version', 'model',
    ]);
    expect(REQUIRED_FIELDS).toEqual([
      'occurred_at', 'request_id', 'account_id', 'caller_region', 'provider', 'channel', 'decision',
    ]);
  });
});

describe('header normalisation', () => {
  it.each([
    ['Request-ID', 'request_id'],
    ['  Occurred At ', 'occurred_at'],
    ['CALLER_REGION', 'caller_region'],
    ['policy-version', 'policy_version'],
    ['Account Name', 'account_name'],
    ['serving region', 'serving_region'],
    ['\uFEFFmodel', 'model'],
  ])('reads %j as %s', (header, field) => {
    expect(fieldForName(header)).toBe(field);
  });

  it('normalises by trimming, lower-casing and mapping spaces and hyphens to underscores', () => {
    expect(normaliseHeaderName(' Caller-Country ')).toBe('caller_country');
  });

  it.each([
    ['timestamp', 'occurred_at'],
    ['time', 'occurred_at'],
    ['TS', 'occurred_at'],
    ['id', 'request_id'],
    ['Event-ID', 'request_id'],
    ['account', 'account_id'],
    ['region', 'caller_region'],
    ['Country', 'caller_region'],
    ['caller country', 'caller_region'],
    ['reseller', 'channel'],
    ['Reseller Channel', 'channel'],
    ['action', 'decision'],
    ['outcome', 'decision'],
    ['RESULT', 'decision'],
  ])('accepts alias %j for %s', (alias, field) => {
    expect(fieldForName(alias)).toBe(field);
  });

  it.each(['requestid', 'request__id', 'notes', '', 'occurred.at', 'constructor', '__proto__', 'toString'])('does not recognise %j', (name) => {
    expect(fieldForName(name)).toBeNull();
  });
});

describe('mapHeader', () => {
  it('maps columns in any order and reports nothing missing', () => {
    const mapping = mapHeader(['decision', 'channel', 'provider', 'region', 'account', 'id', 'ts']);
    expect(mapping.fields).toEqual([
      'decision', 'channel', 'provider', 'caller_region', 'account_id', 'request_id', 'occurred_at',
    ]);
    expect(mapping.missingRequired).toEqual([]);
    expect(mapping.unknownColumns).toEqual([]);
  });

  it('names unknown columns once each, as written, in first-seen order', () => {
    const mapping = mapHeader(['Notes', 'occurred_at', 'Extra', 'Notes', 'request_id']);
    expect(mapping.unknownColumns).toEqual(['Notes', 'Extra']);
    expect(mapping.fields).toEqual([null, 'occurred_at', null, null, 'request_id']);
  });

  it('lets the first of two columns for one field win and ignores the later one', () => {
    const mapping = mapHeader(['timestamp', 'occurred_at', 'Request ID', 'id']);
    expect(mapping.fields).toEqual(['occurred_at', null, 'request_id', null]);
    expect(mapping.unknownColumns).toEqual(['occurred_at', 'id']);
  });

  it('lists missing required fields in spec order; optional ones are never missing', () => {
    const mapping = mapHeader(['decision', 'occurred_at']);
    expect(mapping.missingRequired).toEqual(['request_id', 'account_id', 'caller_region', 'provider', 'channel']);
  });
});
