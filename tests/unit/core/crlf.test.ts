import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { CrlfRecordEnds } from '@/lib/export/crlf';

describe('CRLF record ends for COPY output', () => {
  it('turns record-ending LF into CRLF and keeps line breaks inside quoted values', () => {
    const t = new CrlfRecordEnds();
    expect(t.transform(Buffer.from('a,"x\ny",b\nc,"q""\nq"\n')).toString()).toBe('a,"x\ny",b\r\nc,"q""\nq"\r\n');
  });

  it('gives the same result however the stream is cut into chunks', () => {
    const field = fc.oneof(fc.string(), fc.string().map((s) => `"${s.replace(/"/g, '""')}\n"`));
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 10 }), (records, cuts) => {
        const text = records.map((r) => r.map((f) => f.replace(/[\r\n]/g, (c) => (f.startsWith('"') ? c : ' '))).join(',') + '\n').join('');
        const whole = new CrlfRecordEnds().transform(Buffer.from(text)).toString();
        const bytes = Buffer.from(text);
        const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const t = new CrlfRecordEnds();
        let out = '';
        let last = 0;
        for (const p of [...points, bytes.length]) {
          out += t.transform(bytes.subarray(last, p)).toString('latin1');
          last = p;
        }
        expect(Buffer.from(out, 'latin1').toString()).toBe(whole);
        expect(whole.replace(/\r\n/g, '\n')).toBe(text);
      }),
    );
  });
});
