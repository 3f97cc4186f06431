// CSV import: a file of leads, its columns mapped to lead fields, checked row by row (the dry run)
// and imported by a job in set-based batches: one upsert, one submissions insert and one scoring
// enqueue per few thousand rows, so 100,000 rows take seconds rather than 100,000 transactions.
// Rows merge by email exactly as createLead does: later non-empty values win.
import type { PgBoss } from 'pg-boss';
import { jobsExecutor, type PrismaClient } from '../db.ts';
import { AppError, type FieldError } from '../errors.ts';
import type { Prisma } from '../generated/prisma/client.ts';
import type { LeadOrigin } from '../generated/prisma/enums.ts';
import { parseLeadInput, type NormalisedLeadInput } from '../leads/lead-input.ts';
import { uuidV7 } from '../leads/lead-ids.ts';
import { hashPayload } from '../leads/leads.ts';
import { bilingualTemplate, translationsOf } from '../localization/catalog.ts';
import { scoreLeadQueue, type ScoreLeadJob } from '../scoring/scoring.ts';
import { parseCsv } from './csv.ts';

/** Imports one LeadImport's file. */
export const importLeadsQueue = 'inbound.import-leads';

/** Payload of `inbound.import-leads`. */
export interface ImportLeadsJob {
  importId: string;
}

/** Lead fields a CSV column can fill. */
export const importableFields = [
  'name',
  'email',
  'phone',
  'origin',
  'interest',
  'approximateIncome',
  'city',
  'notes',
] as const;
export type ImportableField = (typeof importableFields)[number];

/** Lead field -> CSV header, plus the origin of rows that have no origin column. */
export interface ImportMapping {
  columns: Partial<Record<ImportableField, string>>;
  defaultOrigin: LeadOrigin;
}

/** One refused row: `row` counts the file's lines, the header being line 1. */
export interface RowError extends FieldError {
  row: number;
}

/** What a dry run (and the import) finds in a file. */
export interface ImportCheck {
  totalRows: number;
  validRows: number;
  invalidRows: number;
  /** The first {@link maxReportedErrors} row errors. */
  errors: RowError[];
}

export const maxReportedErrors = 1_000;
/** Rows per transaction: large enough for set-based speed, small enough for short locks. */
const batchSize = 5_000;

// A mapping refused by the import job is stored as the import's error, in English, and read in
// the reader's language: catalog messages, declared when the module loads.
const missingColumns = bilingualTemplate<'absent' | 'present'>(
  'The file has no column {absent}; its columns are {present}',
  'O arquivo não tem a coluna {absent}; suas colunas são {present}',
);
const requiredColumn = bilingualTemplate<'field'>(
  'Map a column to {field}: it is required',
  'Associe uma coluna a {field}: é obrigatório',
);

/** The mapping names a column the file does not have, or leaves out a required field. */
export class ImportMappingError extends AppError {
  override name = 'ImportMappingError';
  /** `message`: one of the catalog's, which gives its translations. */
  constructor(message: string) {
    super(message, translationsOf(message));
  }
}

export class LeadImportNotFoundError extends AppError {
  override name = 'LeadImportNotFoundError';
  constructor(id: string) {
    super(`No lead import has the id "${id}"`, {
      'pt-BR': `Nenhuma importação de leads tem o id "${id}"`,
    });
  }
}

interface ValidRow {
  row: number;
  input: NormalisedLeadInput;
  raw: Record<string, string>;
}

/** Parses the file and validates every row with createLead's rules. */
export function checkCsv(
  text: string,
  mapping: ImportMapping,
): ImportCheck & { valid: ValidRow[] } {
  const { header, rows } = parseCsv(text);
  const missing = Object.entries(mapping.columns).filter(([, column]) => !header.includes(column));
  if (missing.length > 0) {
    const absent = missing.map(([, column]) => `"${column}"`).join(', ');
    const present = header.map((name) => `"${name}"`).join(', ');
    throw new ImportMappingError(missingColumns({ absent, present }));
  }
  for (const required of ['name', 'email'] as const) {
    if (!mapping.columns[required]) {
      throw new ImportMappingError(requiredColumn({ field: required }));
    }
  }
  const positions = Object.entries(mapping.columns).map(
    ([field, column]) => [field, header.indexOf(column)] as const,
  );
  const valid: ValidRow[] = [];
  const errors: RowError[] = [];
  let invalidRows = 0;
  rows.forEach((cells, index) => {
    const row = index + 2;
    const raw: Record<string, string> = {};
    header.forEach((name, column) => (raw[name] = cells[column] ?? ''));
    const fields: Record<string, string> = { origin: mapping.defaultOrigin };
    for (const [field, position] of positions) {
      const value = cells[position]?.trim() ?? '';
      if (value !== '') fields[field] = value;
    }
    const parsed = parseLeadInput(fields);
    if (parsed.ok) {
      valid.push({ row, input: parsed.value, raw });
      return;
    }
    invalidRows += 1;
    for (const error of parsed.fieldErrors) {
      if (errors.length < maxReportedErrors) errors.push({ row, ...error });
    }
  });
  return { totalRows: rows.length, validRows: valid.length, invalidRows, errors, valid };
}

/** Stores the file and enqueues its import in one commit. */
export async function createLeadImport(
  prisma: PrismaClient,
  jobs: PgBoss,
  options: { filename: string; content: Buffer; mapping: ImportMapping; requestedBy: string },
): Promise<{ id: string; check: ImportCheck }> {
  // Checked now so a wrong mapping is refused at once, not found by the job.
  const { valid: _rows, ...check } = checkCsv(options.content.toString('utf8'), options.mapping);
  const id = await prisma.$transaction(async (tx) => {
    const created = await tx.leadImport.create({
      data: {
        filename: options.filename.slice(0, 255),
        mapping: options.mapping as unknown as Prisma.InputJsonObject,
        content: new Uint8Array(options.content),
        totalRows: check.totalRows,
        requestedBy: options.requestedBy,
      },
      select: { id: true },
    });
    await jobs.send(importLeadsQueue, { importId: created.id } satisfies ImportLeadsJob, {
      db: jobsExecutor(tx),
    });
    return created.id;
  });
  return { id, check };
}

interface UpsertedRow {
  id: string;
  email: string;
  inserted: boolean;
}

/**
 * The import job. Safe to run twice: each row's submission has the idempotency key
 * import:<id>:<row>, so a rerun after a crash re-merges the same values and adds no submission.
 */
export async function importLeads(
  dependencies: { prisma: PrismaClient; jobs: PgBoss },
  importId: string,
): Promise<void> {
  const { prisma, jobs } = dependencies;
  const job = await prisma.leadImport.findUnique({ where: { id: importId } });
  if (!job || job.state === 'SUCCEEDED' || job.state === 'FAILED' || !job.content) return;
  const mapping = job.mapping as unknown as ImportMapping;
  let check: ReturnType<typeof checkCsv>;
  try {
    check = checkCsv(Buffer.from(job.content).toString('utf8'), mapping);
  } catch (error) {
    if (!(error instanceof ImportMappingError)) throw error;
    await prisma.leadImport.update({
      where: { id: importId },
      data: { state: 'FAILED', error: error.message, content: null, finishedAt: new Date() },
    });
    return;
  }
  await prisma.leadImport.update({
    where: { id: importId },
    data: {
      state: 'RUNNING',
      processed: check.invalidRows,
      invalid: check.invalidRows,
      created: 0,
      merged: 0,
      rowErrors: check.errors as unknown as Prisma.InputJsonArray,
    },
  });
  // One group per email, in the order of its first row: a statement may not upsert one row twice.
  const groups = new Map<string, ValidRow[]>();
  for (const row of check.valid) {
    const group = groups.get(row.input.email);
    if (group) group.push(row);
    else groups.set(row.input.email, [row]);
  }
  const all = [...groups.values()];
  for (let start = 0; start < all.length; start += batchSize) {
    const batch = all.slice(start, start + batchSize);
    await importBatch(prisma, jobs, importId, batch);
  }
  await prisma.leadImport.update({
    where: { id: importId },
    data: { state: 'SUCCEEDED', content: null, finishedAt: new Date() },
  });
}

async function importBatch(
  prisma: PrismaClient,
  jobs: PgBoss,
  importId: string,
  groups: ValidRow[][],
): Promise<void> {
  const leads = groups.map((rows) => ({ id: uuidV7(), ...mergeRows(rows) }));
  await prisma.$transaction(
    async (tx) => {
      const upserted = await tx.$queryRaw<UpsertedRow[]>`
        INSERT INTO "leads" AS lead
          ("id", "name", "email", "phone", "origin", "interest", "approximateIncome", "city",
           "notes", "updatedAt")
        SELECT x."id", x."name", x."email", x."phone", x."origin"::"LeadOrigin", x."interest",
               x."approximateIncome", x."city", x."notes", now()
        FROM jsonb_to_recordset(${JSON.stringify(leads)}::jsonb) AS x(
          "id" uuid, "name" text, "email" text, "phone" text, "origin" text, "interest" text,
          "approximateIncome" numeric, "city" text, "notes" text)
        ON CONFLICT ("email") DO UPDATE SET
          "name" = EXCLUDED."name",
          "origin" = EXCLUDED."origin",
          "phone" = coalesce(EXCLUDED."phone", lead."phone"),
          "interest" = coalesce(EXCLUDED."interest", lead."interest"),
          "approximateIncome" = coalesce(EXCLUDED."approximateIncome", lead."approximateIncome"),
          "city" = coalesce(EXCLUDED."city", lead."city"),
          "notes" = coalesce(EXCLUDED."notes", lead."notes"),
          "updatedAt" = now()
        WHERE lead."erasedAt" IS NULL
        RETURNING "id", "email", (xmax = 0) AS "inserted"`;
      const byEmail = new Map(upserted.map((row) => [row.email, row]));
      const submissions = groups.flatMap((rows) =>
        rows.flatMap((row, index) => {
          const lead = byEmail.get(row.input.email);
          if (!lead) return [];
          return [
            {
              id: uuidV7(),
              leadId: lead.id,
              payload: row.raw,
              createdLead: lead.inserted && index === 0,
              idempotencyKey: `import:${importId}:${row.row}`,
              payloadHash: hashPayload(row.raw),
            },
          ];
        }),
      );
      await tx.$executeRaw`
        INSERT INTO "lead_submissions"
          ("id", "leadId", "channel", "payload", "createdLead", "idempotencyKey", "payloadHash")
        SELECT x."id", x."leadId", 'CSV_IMPORT', x."payload", x."createdLead", x."idempotencyKey",
               x."payloadHash"
        FROM jsonb_to_recordset(${JSON.stringify(submissions)}::jsonb) AS x(
          "id" uuid, "leadId" uuid, "payload" jsonb, "createdLead" boolean,
          "idempotencyKey" text, "payloadHash" text)
        ON CONFLICT ("idempotencyKey") DO NOTHING`;
      if (upserted.length > 0) {
        await jobs.insert(
          scoreLeadQueue,
          upserted.map((row) => ({ data: { leadId: row.id } satisfies ScoreLeadJob })),
          { db: jobsExecutor(tx) },
        );
      }
      const created = upserted.filter((row) => row.inserted).length;
      const rows = groups.reduce((sum, group) => sum + group.length, 0);
      await tx.leadImport.update({
        where: { id: importId },
        data: {
          processed: { increment: rows },
          created: { increment: created },
          merged: { increment: upserted.length - created },
        },
        select: { id: true },
      });
    },
    { timeout: 60_000 },
  );
}

/** The rows of one email as createLead would leave the lead: later non-empty values win. */
function mergeRows(rows: ValidRow[]): NormalisedLeadInput {
  const [first, ...rest] = rows.map((row) => row.input);
  const merged = { ...first! };
  for (const next of rest) {
    merged.name = next.name;
    merged.origin = next.origin;
    merged.phone = next.phone ?? merged.phone;
    merged.interest = next.interest ?? merged.interest;
    merged.approximateIncome = next.approximateIncome ?? merged.approximateIncome;
    merged.city = next.city ?? merged.city;
    merged.notes = next.notes ?? merged.notes;
  }
  return merged;
}
