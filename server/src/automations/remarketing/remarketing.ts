// Remarketing audiences: COLD's `remarketing-list` action adds the lead to an audience, and every
// opt-out (unsubscribe, consent withdrawal, erasure) takes it out. The export lists only current
// members, so an opted-out person is in no file made after their opt-out.
import type { Transaction } from '../../db.ts';
import { bilingual, bilingualTemplate } from '../../localization/catalog.ts';
import { leadDeletedReason, leadUnsubscribedReason, type RunPayload } from '../automations.ts';

/** The audience `remarketing-list` adds COLD leads to. */
export const coldLeadsAudience = 'cold-leads';

/** Why a lead left its audiences. */
export type AudienceRemovalReason = 'unsubscribed' | 'consent-withdrawn' | 'erased';

/** Takes the lead out of every audience it is in now; a second call changes nothing. */
export async function leaveAudiences(
  tx: Transaction,
  leadId: string,
  reason: AudienceRemovalReason,
): Promise<number> {
  const { count } = await tx.remarketingMember.updateMany({
    where: { leadId, removedAt: null },
    data: { removedAt: new Date(), removedReason: reason },
  });
  return count;
}

/**
 * The `remarketing-list` action, in the transaction that finishes its attempt: adds the lead to
 * the audience, unless it may not be marketed to (it gave no consent, withdrew it, unsubscribed
 * or was erased) or its class changed since. The lead's row lock orders this with an opt-out
 * committing at the same time: whichever comes second sees the other.
 */
export async function joinAudience(
  tx: Transaction,
  runId: string,
  payload: RunPayload,
  audience = coldLeadsAudience,
): Promise<{ added: true } | { skipped: string }> {
  const [lead] = await tx.$queryRaw<
    { status: string; erased: boolean; unsubscribed: boolean; consents: number; active: number }[]
  >`
    SELECT l.status::text, l."erasedAt" IS NOT NULL AS erased,
           l."unsubscribedAt" IS NOT NULL AS unsubscribed,
           (SELECT count(*)::int FROM lead_consents c WHERE c."leadId" = l.id) AS consents,
           (SELECT count(*)::int FROM lead_consents c
             WHERE c."leadId" = l.id AND c."withdrawnAt" IS NULL) AS active
    FROM leads l WHERE l.id = ${payload.lead.id}::uuid FOR UPDATE OF l`;
  if (!lead) return { skipped: leadDeletedReason };
  const refusal = marketingRefusal(lead);
  if (refusal) return { skipped: refusal };
  if (lead.status !== payload.status) {
    return { skipped: classChangedBeforeJoining({ status: lead.status }) };
  }
  const where = { leadId_audience: { leadId: payload.lead.id, audience } };
  const member = await tx.remarketingMember.findUnique({ where, select: { removedAt: true } });
  if (!member) {
    await tx.remarketingMember.create({ data: { leadId: payload.lead.id, audience, runId } });
  } else if (member.removedAt) {
    // Back after leaving, with consent again (a new submission): a new membership from now.
    await tx.remarketingMember.update({
      where,
      data: { runId, addedAt: new Date(), removedAt: null, removedReason: null },
    });
  }
  return { added: true };
}

const classChangedBeforeJoining = bilingualTemplate<'status'>(
  "The lead's class changed to {status} before it joined the audience",
  'A classe do lead mudou para {status} antes de ele entrar no público',
);

// Stored as skip reasons and shown to people in their language.
const refusals = {
  erased: bilingual('The lead was erased', 'Os dados pessoais do lead foram apagados'),
  noConsent: bilingual(
    'The lead gave no consent for marketing',
    'O lead não deu consentimento para marketing',
  ),
  withdrawn: bilingual('The lead withdrew consent', 'O lead retirou o consentimento'),
};

/** Why marketing to this lead is not allowed (LGPD: consent, opt-out), or null when it is. */
export function marketingRefusal(lead: {
  erased: boolean;
  unsubscribed: boolean;
  consents: number;
  active: number;
}): string | null {
  if (lead.erased) return refusals.erased;
  if (lead.unsubscribed) return leadUnsubscribedReason;
  if (lead.consents === 0) return refusals.noConsent;
  if (lead.active === 0) return refusals.withdrawn;
  return null;
}
