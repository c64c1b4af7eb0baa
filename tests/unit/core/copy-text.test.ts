import { describe, expect, it } from 'vitest';

import { copyLine, copyValue } from '@/lib/db/copy-format';

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    expect(copyValue('plain')).toBe('plain');
    expect(copyValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue(undefined)).toBe('\\N');
    expect(copyValue('\\N')).toBe('\\\\N');
    expect(copyValue(42)).toBe('42');
    expect(copyLine(['a', null, 'b\tc'])).toBe('a\t\\N\tb\\tc\n');
  });
});
