import type { Prisma } from '../generated/prisma/client.ts';
import type { PrismaClient } from '../db.ts';
import { actorLabel, type Principal } from './principal.ts';

/** What the audit log records. Adding one here is how a new audited action gets its name. */
export type AuditAction =
  | 'auth.sign-in'
  | 'auth.sign-in-failed'
  | 'auth.sign-out'
  | 'auth.password-change'
  | 'user.create'
  | 'user.update'
  | 'api-key.create'
  | 'api-key.revoke'
  | 'settings.automations.update'
  | 'settings.email.update'
  | 'settings.email-template.update'
  | 'settings.inbound.update'
  | 'inbound.reprocess'
  | 'settings.web-form.create'
  | 'settings.web-form.update'
  | 'settings.web-form.delete'
  | 'leads.import'
  | 'scoring.rule-set.save'
  | 'scoring.rule-set.activate'
  | 'leads.rescore'
  | 'lead.export'
  | 'lead.erase'
  | 'leads.export'
  | 'lead.reassign'
  | 'user.sales-settings.update'
  | 'settings.pipeline.update'
  | 'remarketing.export'
  | 'lead.consent-withdraw';

export interface AuditActor {
  principal: Principal;
  ip: string | null;
}

export interface AuditEntry {
  action: AuditAction;
  target?: { type: string; id: string };
  /** Ids, counts and setting names only: never a lead's personal data. */
  details?: Prisma.InputJsonValue;
}

/** Appends to the audit log; pass a transaction so the entry commits with the change. */
export async function recordAudit(
  db: Pick<PrismaClient, 'auditEvent'>,
  actor: AuditActor,
  entry: AuditEntry,
): Promise<void> {
  const { principal } = actor;
  await db.auditEvent.create({
    data: {
      actorKind: principal.kind,
      actorId:
        principal.kind === 'user'
          ? principal.userId
          : principal.kind === 'api-key'
            ? principal.keyId
            : null,
      actorLabel: principal.kind === 'anonymous' ? null : actorLabel(principal),
      action: entry.action,
      targetType: entry.target?.type ?? null,
      targetId: entry.target?.id ?? null,
      details: entry.details,
      ip: actor.ip,
    },
  });
}
