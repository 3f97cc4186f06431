// Consent (LGPD art. 8): the controller must be able to show when a person agreed, where, and to
// which text. A form sends it with the submission; it is kept as a LeadConsent row written in
// the submission's transaction, so a submission and its consent commit together or not at all.
import type { FieldError } from '../errors.ts';
import type { SubmissionChannel } from '../generated/prisma/enums.ts';
import { characterCount, cleanSingleLine } from '../leads/lead-input.ts';

/** `CreateLeadInput.consent` as received. */
export interface ConsentRequest {
  textVersion?: string | null;
  givenAt?: Date | null;
  source?: string | null;
}

/** A validated consent, ready for `prisma.leadConsent.create({ data })` with its lead. */
export interface ConsentRecord {
  givenAt: Date;
  source: string;
  textVersion: string;
}

export type ConsentResult =
  { ok: true; value: ConsentRecord | null } | { ok: false; fieldErrors: FieldError[] };

/** What a consent is checked against: when and how its submission arrived. */
export interface ConsentContext {
  receivedAt: Date;
  channel: SubmissionChannel;
}

const TEXT_VERSION_MAX = 64;
const SOURCE_MAX = 255;

/**
 * A form's clock may run a little ahead of ours. Further ahead than this is not skew but a wrong
 * date, and a consent dated after its own receipt proves nothing.
 */
export const CONSENT_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Validates a consent given with a submission: a text version is required, `givenAt` defaults to
 * the time of receipt and may not be in the future, and `source` defaults to the channel. Absent
 * consent is `null`, not an error: consent is recorded when the sender has it. Field paths are
 * `consent.<field>`, one message each.
 */
export function parseConsent(
  request: ConsentRequest | null | undefined,
  context: ConsentContext,
): ConsentResult {
  if (request == null) return { ok: true, value: null };
  const fieldErrors: FieldError[] = [];

  const textVersion = cleanSingleLine(request.textVersion ?? '');
  if (textVersion === '') {
    fieldErrors.push({
      path: 'consent.textVersion',
      message: 'Say which version of the consent text was shown',
    });
  } else if (characterCount(textVersion) > TEXT_VERSION_MAX) {
    fieldErrors.push({
      path: 'consent.textVersion',
      message: `Consent text version must be at most ${TEXT_VERSION_MAX} characters`,
    });
  }

  const givenAt = request.givenAt ?? context.receivedAt;
  if (Number.isNaN(givenAt.getTime())) {
    fieldErrors.push({ path: 'consent.givenAt', message: 'Enter a valid date and time' });
  } else if (givenAt.getTime() > context.receivedAt.getTime() + CONSENT_CLOCK_SKEW_MS) {
    fieldErrors.push({
      path: 'consent.givenAt',
      message: 'Consent time cannot be in the future',
    });
  }

  const source = cleanSingleLine(request.source ?? '') || context.channel;
  if (characterCount(source) > SOURCE_MAX) {
    fieldErrors.push({
      path: 'consent.source',
      message: `Consent source must be at most ${SOURCE_MAX} characters`,
    });
  }

  if (fieldErrors.length > 0) return { ok: false, fieldErrors };
  return { ok: true, value: { givenAt, source, textVersion } };
}
