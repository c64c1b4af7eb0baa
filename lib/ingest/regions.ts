/**
 * Officially assigned ISO 3166-1 alpha-2 codes (all 249, as listed by the ISO 3166
 * Maintenance Agency and mirrored in the tz database's iso3166.tab), plus `XK` (Kosovo),
 * a user-assigned code that the spec accepts because it is in wide use.
 * Reserved codes such as `UK`, `EU` or `EL` are deliberately absent.
 */
const ASSIGNED_ALPHA2 =
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ ' +
  'BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ ' +
  'DE DJ DK DM DO DZ ' +
  'EC EE EG EH ER ES ET ' +
  'FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY ' +
  'HK HM HN HR HT HU ' +
  'ID IE IL IM IN IO IQ IR IS IT ' +
  'JE JM JO JP ' +
  'KE KG KH KI KM KN KP KR KW KY KZ ' +
  'LA LB LC LI LK LR LS LT LU LV LY ' +
  'MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ ' +
  'NA NC NE NF NG NI NL NO NP NR NU NZ ' +
  'OM ' +
  'PA PE PF PG PH PK PL PM PN PR PS PT PW PY ' +
  'QA ' +
  'RE RO RS RU RW ' +
  'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ ' +
  'TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ ' +
  'UA UG UM US UY UZ ' +
  'VA VC VE VG VI VN VU ' +
  'WF WS ' +
  'YE YT ' +
  'ZA ZM ZW';

export const ISO_3166_ALPHA2: ReadonlySet<string> = new Set(ASSIGNED_ALPHA2.split(' '));

/** Every code a `caller_region` may hold, upper-case. */
export const CALLER_REGIONS: ReadonlySet<string> = new Set([...ISO_3166_ALPHA2, 'XK']);

/**
 * The stored (upper-case) form of a caller region, or null if it is not a known code.
 * Only ASCII letters are accepted before upper-casing, because `toUpperCase` maps some
 * other letters onto ASCII ones (Turkish dotless "ı" becomes "I", so "ın" would pass as India).
 */
export function normaliseCallerRegion(value: string): string | null {
  if (value.length !== 2) return null;
  const a = value.charCodeAt(0);
  const b = value.charCodeAt(1);
  if (!isAsciiLetter(a) || !isAsciiLetter(b)) return null;
  // Upper-case input, the common case, is looked up as it is, without a new string.
  const upper = a < 97 && b < 97 ? value : value.toUpperCase();
  return CALLER_REGIONS.has(upper) ? upper : null;
}

function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
