// Inbound payloads: every webhook delivery is stored raw first, acknowledged, then mapped to a
// lead by a job. A payload that cannot be mapped stays, with the reason, until an admin fixes the
// mapping and reprocesses it: nothing an ad platform sent is lost.
import type { PgBoss } from 'pg-boss';
import { jobsExecutor, type PrismaClient } from '../db.ts';
import { AppError } from '../errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { InboundPayloadStatus, SubmissionChannel } from '../generated/prisma/enums.ts';
import { parseLeadInput } from '../leads/lead-input.ts';
import {
  ingestLead,
  isLeadId,
  type LeadAttribution,
  type IngestDependencies,
} from '../leads/leads.ts';
import { bilingualTemplate, catalogMessage, translationsOf } from '../localization/catalog.ts';
import type { Locale } from '../localization/locale.ts';
import { readInboundSettings } from './inbound-settings.ts';
import { fetchMetaLead, mapMetaLead, MetaFetchError } from './meta.ts';
import { mapGoogleLead } from './google.ts';

/** Maps one stored payload to a lead. */
export const processInboundQueue = 'inbound.process-payload';

/** Payload of `inbound.process-payload`: the stored payload's id; the handler re-reads it. */
export interface ProcessInboundJob {
  payloadId: string;
}

export class InboundPayloadNotFoundError extends AppError {
  override name = 'InboundPayloadNotFoundError';
  constructor(id: string) {
    super(`No inbound payload has the id "${id}"`, {
      'pt-BR': `Nenhum payload recebido tem o id "${id}"`,
    });
  }
}

export class InboundPayloadNotReprocessableError extends AppError {
  override name = 'InboundPayloadNotReprocessableError';
  constructor(status: InboundPayloadStatus) {
    super(
      `Only UNMAPPABLE or FAILED payloads can be reprocessed; this one is ${status}, so reprocessing it would change nothing`,
      {
        'pt-BR': `Só payloads UNMAPPABLE ou FAILED podem ser reprocessados; este está ${status}, então reprocessá-lo não mudaria nada`,
      },
    );
  }
}

// A payload's reason is stored in English and read in the reader's language (payloadReasonIn), so
// every reason is a catalog message declared when its module loads, in the worker that writes it
// and in the API that reads it alike.
const noMappingForChannel = bilingualTemplate<'channel'>(
  'No mapping exists for the {channel} channel',
  'Não há mapeamento para o canal {channel}',
);

/** One payload to store. */
export interface InboundPayloadInput {
  channel: SubmissionChannel;
  /** channel-prefixed platform id (meta:<leadgen_id>); a repeat with the same id is dropped. */
  externalId: string | null;
  payload: Prisma.InputJsonValue;
  /** RECEIVED (default) enqueues processing; UNMAPPABLE and TEST are kept as they are. */
  status?: Extract<InboundPayloadStatus, 'RECEIVED' | 'UNMAPPABLE' | 'TEST'>;
  /** In English, from the catalog (see payloadReasonIn). */
  reason?: string;
}

/**
 * Stores payloads and enqueues the processing of the RECEIVED ones in one commit. Returns how many
 * were new: a payload whose externalId is already stored (a platform's retry) adds nothing.
 */
export async function storeInboundPayloads(
  prisma: PrismaClient,
  jobs: PgBoss,
  payloads: InboundPayloadInput[],
): Promise<number> {
  if (payloads.length === 0) return 0;
  return prisma.$transaction(async (tx) => {
    const stored = await tx.inboundPayload.createManyAndReturn({
      data: payloads.map((item) => ({
        channel: item.channel,
        externalId: item.externalId,
        payload: item.payload,
        status: item.status ?? 'RECEIVED',
        reason: item.reason ?? null,
      })),
      // The unique externalId turns a repeated delivery into nothing, even two at once.
      skipDuplicates: true,
      select: { id: true, status: true },
    });
    const toProcess = stored.filter((row) => row.status === 'RECEIVED');
    if (toProcess.length > 0) {
      await jobs.insert(
        processInboundQueue,
        toProcess.map((row) => ({ data: { payloadId: row.id } satisfies ProcessInboundJob })),
        { db: jobsExecutor(tx) },
      );
    }
    return stored.length;
  });
}

/**
 * What mapping a payload gives: lead fields for parseLeadInput, or why it cannot (in English,
 * from the catalog).
 */
export type MappedLead =
  | { ok: true; fields: Record<string, unknown>; attribution: LeadAttribution }
  | { ok: false; reason: string };

/** Options of {@link processInboundPayload}. */
export interface ProcessInboundDependencies extends IngestDependencies {
  /** The fetch used for the Graph API (default: global fetch). */
  fetch?: typeof fetch;
}

/**
 * Turns a stored payload into a lead submission. Safe to run twice: a PROCESSED payload is left
 * alone, and the submission's idempotency key (the externalId) makes a repeat return the first
 * result. Throws (so the job is retried) only for failures worth retrying, e.g. the Graph API
 * being down; the payload is FAILED with the reason meanwhile.
 */
export async function processInboundPayload(
  dependencies: ProcessInboundDependencies,
  payloadId: string,
): Promise<InboundPayloadStatus | null> {
  const { prisma } = dependencies;
  const row = await prisma.inboundPayload.findUnique({ where: { id: payloadId } });
  if (!row) return null;
  if (row.status === 'PROCESSED' || row.status === 'TEST') return row.status;
  await prisma.inboundPayload.update({
    where: { id: payloadId },
    data: { attempts: { increment: 1 } },
    select: { id: true },
  });
  const settings = await readInboundSettings(prisma);
  const mark = (status: InboundPayloadStatus, reason: string | null) =>
    prisma.inboundPayload.update({
      where: { id: payloadId },
      data: { status, reason },
      select: { id: true },
    });

  let fetched = row.fetched as Prisma.InputJsonValue | null;
  let mapped: MappedLead;
  if (row.channel === 'META_ADS') {
    if (fetched === null) {
      try {
        fetched = (await fetchMetaLead(
          settings,
          row.payload,
          dependencies.fetch,
        )) as Prisma.InputJsonValue;
      } catch (error) {
        if (!(error instanceof MetaFetchError)) throw error;
        await mark('FAILED', error.message);
        if (error.retryable) throw error;
        return 'FAILED';
      }
      await prisma.inboundPayload.update({
        where: { id: payloadId },
        data: { fetched },
        select: { id: true },
      });
    }
    mapped = mapMetaLead(fetched, row.payload, settings);
  } else if (row.channel === 'GOOGLE_ADS') {
    mapped = mapGoogleLead(row.payload, settings);
  } else {
    mapped = { ok: false, reason: noMappingForChannel({ channel: row.channel }) };
  }
  if (!mapped.ok) {
    await mark('UNMAPPABLE', mapped.reason);
    return 'UNMAPPABLE';
  }
  const parsed = parseLeadInput(mapped.fields);
  if (!parsed.ok) {
    await mark('UNMAPPABLE', describeFieldErrors(parsed.fieldErrors));
    return 'UNMAPPABLE';
  }
  const result = await ingestLead(dependencies, {
    input: parsed.value,
    // Both halves as stored, so a retry or reprocess hashes the same and replays the key.
    raw: { payload: row.payload, fetched: fetched ?? null },
    channel: row.channel,
    idempotencyKey: row.externalId,
    attribution: mapped.attribution,
  });
  await prisma.inboundPayload.update({
    where: { id: payloadId },
    data: {
      status: 'PROCESSED',
      reason: null,
      leadId: result.leadId,
      submissionId: result.submissionId,
      processedAt: new Date(),
    },
    select: { id: true },
  });
  return 'PROCESSED';
}

const fieldErrorSeparator = '; ';

/** The lead rules' refusal as one stored reason: `path: message` per field. */
export function describeFieldErrors(errors: readonly { path: string; message: string }[]): string {
  return errors
    .map(({ path, message }) => (path ? `${path}: ${message}` : message))
    .join(fieldErrorSeparator);
}

/**
 * A stored reason worded for `locale`: a catalog message as a whole, else the lead rules' refusal
 * of describeFieldErrors with each field's message from the catalog. What the catalog lacks stays
 * in English.
 */
export function payloadReasonIn(reason: string, locale: Locale): string {
  if (locale === 'en' || translationsOf(reason)) return catalogMessage(reason, locale);
  return reason
    .split(fieldErrorSeparator)
    .map((part) => {
      const field = /^([\w.]+): (.*)$/s.exec(part);
      return field
        ? `${field[1]}: ${catalogMessage(field[2]!, locale)}`
        : catalogMessage(part, locale);
    })
    .join(fieldErrorSeparator);
}

/**
 * Queues an UNMAPPABLE or FAILED payload again, typically after its mapping was fixed in the
 * settings. A Meta payload keeps what was fetched, so it does not depend on Meta still having it.
 */
export async function reprocessInboundPayload(
  prisma: PrismaClient,
  jobs: PgBoss,
  payloadId: string,
): Promise<void> {
  if (!isLeadId(payloadId)) throw new InboundPayloadNotFoundError(payloadId);
  await prisma.$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ status: InboundPayloadStatus }[]>`
      SELECT "status" FROM "inbound_payloads" WHERE "id" = ${payloadId}::uuid FOR UPDATE`;
    if (!row) throw new InboundPayloadNotFoundError(payloadId);
    if (row.status !== 'UNMAPPABLE' && row.status !== 'FAILED') {
      throw new InboundPayloadNotReprocessableError(row.status);
    }
    await tx.inboundPayload.update({
      where: { id: payloadId },
      data: { status: 'RECEIVED', reason: null },
      select: { id: true },
    });
    await jobs.send(processInboundQueue, { payloadId } satisfies ProcessInboundJob, {
      db: jobsExecutor(tx),
    });
  });
}
