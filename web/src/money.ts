// Exact arithmetic on the API's decimal strings, for the few totals the
// dashboard adds up itself (a donor's giving by year). Amounts are held as a
// BigInt count of minor units; nothing goes through a double.

// "1234.5" with scale 2 -> 123450n. Returns null for anything that is not a decimal.
export function toMinor(decimal: string, scale = 2): bigint | null {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) return null;
  const [, sign, whole, fraction = ''] = match;
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) return null;
  const digits = whole + fraction.slice(0, scale).padEnd(scale, '0');
  const value = BigInt(digits);
  return sign === '-' ? -value : value;
}

// 123450n with scale 2 -> "1234.50".
export function fromMinor(value: bigint, scale = 2): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

// round_half_even(value * part / whole), the rule docs/data-format.md gives
// for the part of an entry's USD value (an open balance, a weighted expectation).
export function proRata(value: bigint, part: bigint, whole: bigint): bigint {
  if (whole === 0n) return 0n;
  const numerator = value * part;
  let quotient = numerator / whole;
  const remainder = numerator - quotient * whole;
  const twice = 2n * (remainder < 0n ? -remainder : remainder);
  const absWhole = whole < 0n ? -whole : whole;
  const sign = (numerator < 0n) !== (whole < 0n) ? -1n : 1n;
  if (twice > absWhole || (twice === absWhole && quotient % 2n !== 0n)) quotient += sign;
  return quotient;
}
