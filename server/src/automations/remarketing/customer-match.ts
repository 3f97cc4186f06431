// The customer-match file ad platforms accept (Google Ads Customer Match, Meta custom audiences):
// one row per person, each identifier normalised as the platforms specify and SHA-256 hashed, so
// no email or phone number leaves StreamLeads in the clear.
import { createHash } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** Google's header names for the hashed Email and Phone columns (Meta reads the same names). */
export const customerMatchHeader = ['Email', 'Phone'] as const;

// Google treats the local part of these domains without dots and without "+tag": both name the
// same mailbox, and Google hashes them that way on its side.
const googleMailDomains = new Set(['gmail.com', 'googlemail.com']);

/**
 * Trims and lower-cases an email; for gmail.com and googlemail.com also removes the dots and any
 * "+tag" from the local part. Null when it is not an email (no local part or no domain).
 */
export function normalizeEmail(email: string): string | null {
  const trimmed = email.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return null;
  let local = trimmed.slice(0, at);
  const domain = trimmed.slice(at + 1);
  if (googleMailDomains.has(domain)) {
    local = local.split('+')[0]!.replaceAll('.', '');
    if (local === '') return null;
  }
  return `${local}@${domain}`;
}

/**
 * A phone number in E.164 (+5511987654321); numbers without a country code are read as
 * `defaultCountry`'s. Null when it is not a valid number.
 */
export function normalizePhone(phone: string, defaultCountry: CountryCode = 'BR'): string | null {
  const parsed = parsePhoneNumberFromString(phone.trim(), defaultCountry);
  return parsed?.isValid() ? parsed.number : null;
}

/** Lower-case hex SHA-256 of the UTF-8 text, as the platforms expect. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** One person's hashed identifiers; empty where the lead has none (or an invalid one). */
export function customerMatchRow(lead: { email: string; phone: string | null }): [string, string] {
  const email = normalizeEmail(lead.email);
  const phone = lead.phone === null ? null : normalizePhone(lead.phone);
  return [email ? sha256Hex(email) : '', phone ? sha256Hex(phone) : ''];
}

/** A CSV line; hashes and the header need no quoting. */
export function csvLine(cells: readonly string[]): string {
  return `${cells.join(',')}\r\n`;
}
