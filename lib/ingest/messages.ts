/** Longest piece of a value quoted back in an error message, in code points. */
const SHOWN_VALUE_MAX = 60;

/**
 * A value as quoted in an error message: in double quotes, with control characters
 * escaped (so a stray newline or NUL is visible) and cut short so a report line stays
 * readable even when the offending value is a megabyte long.
 */
export function showValue(value: string): string {
  if (value.length <= SHOWN_VALUE_MAX) return JSON.stringify(value);
  const points = Array.from(value);
  if (points.length <= SHOWN_VALUE_MAX) return JSON.stringify(value);
  return `${JSON.stringify(points.slice(0, SHOWN_VALUE_MAX).join(''))}… (${points.length} characters)`;
}

/** Length in Unicode code points, which is how the spec counts characters. */
export function codePointLength(value: string): number {
  let count = 0;
  for (let i = 0; i < value.length; i++) {
    // A low surrogate is the second half of a pair already counted.
    if ((value.charCodeAt(i) & 0xfc00) !== 0xdc00) count++;
  }
  return count;
}

/** A size limit in words: `1 MiB`, or a character count for limits that are not whole MiB. */
export function formatSize(chars: number): string {
  const mib = 1024 * 1024;
  return chars % mib === 0 ? `${chars / mib} MiB` : `${chars} characters`;
}
