// The inbound channels' settings, stored in the database and edited by admins through GraphQL
// (inboundSettings, updateInboundSettings): secrets are encrypted at rest and never read back.
import type { PrismaClient, Transaction } from '../db.ts';
import type { GoogleTestLeadPolicy } from '../generated/prisma/enums.ts';
import { decryptSecret } from '../automations/secrets.ts';

export const inboundSettingsId = 'default';

/**
 * Which custom questions of one ad platform lead form answer interest and income: Meta question
 * keys, or Google column ids (or column names).
 */
export interface FormQuestions {
  /** The question whose answer becomes the lead's interest. */
  interest?: string;
  /** The question whose answer becomes the lead's approximate income. */
  income?: string;
}

/** The settings with their secrets decrypted, for the webhooks and jobs. */
export interface InboundSettingsValues {
  metaVerifyToken: string | null;
  metaAppSecret: string | null;
  metaGraphBaseUrl: string;
  metaAccessToken: string | null;
  /** Form id -> its custom questions. */
  metaFormQuestions: Record<string, FormQuestions>;
  googleKey: string | null;
  googleTestLeads: GoogleTestLeadPolicy;
  /** Google form id -> its custom questions. */
  googleFormQuestions: Record<string, FormQuestions>;
  formThankYouUrl: string | null;
  formAllowedOrigins: string[];
}

export const defaultGraphBaseUrl = 'https://graph.facebook.com/v21.0';

export async function readInboundSettings(
  db: PrismaClient | Transaction,
): Promise<InboundSettingsValues> {
  const stored = await db.inboundSettings.findUnique({ where: { id: inboundSettingsId } });
  const decrypt = (value: string | null | undefined) => (value ? decryptSecret(value) : null);
  return {
    metaVerifyToken: decrypt(stored?.metaVerifyTokenEncrypted),
    metaAppSecret: decrypt(stored?.metaAppSecretEncrypted),
    metaGraphBaseUrl: stored?.metaGraphBaseUrl ?? defaultGraphBaseUrl,
    metaAccessToken: decrypt(stored?.metaAccessTokenEncrypted),
    metaFormQuestions: parseFormQuestions(stored?.metaFormQuestions),
    googleKey: decrypt(stored?.googleKeyEncrypted),
    googleTestLeads: stored?.googleTestLeads ?? 'STORE',
    googleFormQuestions: parseFormQuestions(stored?.googleFormQuestions),
    formThankYouUrl: stored?.formThankYouUrl ?? null,
    formAllowedOrigins: stored?.formAllowedOrigins ?? [],
  };
}

export function parseFormQuestions(value: unknown): Record<string, FormQuestions> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const result: Record<string, FormQuestions> = {};
  for (const [formId, questions] of Object.entries(value)) {
    if (questions === null || typeof questions !== 'object') continue;
    const { interest, income } = questions as Record<string, unknown>;
    result[formId] = {
      ...(typeof interest === 'string' && { interest }),
      ...(typeof income === 'string' && { income }),
    };
  }
  return result;
}
