// Versions of the scoring rules. Every save inserts a new row that is never changed afterwards
// (only its activatedAt moves); the active version is the one activated last, so activating an
// older version is a rollback and the history stays whole.
import type { PrismaClient, Transaction } from '../db.ts';
import { AppError, ValidationError } from '../errors.ts';
import type { ScoringRuleSet } from '../generated/prisma/client.ts';
import { defaultRuleSet } from './default-rule-set.ts';
import { compileRuleSet, parseRuleSet, type LeadScorer, type RuleSet } from './rules.ts';

/** The author of version 1, created from the built-in rules. */
export const systemAuthor = 'system';

export const NOTE_MAX_LENGTH = 2_000;

export class ScoringRuleSetNotFoundError extends AppError {
  override name = 'ScoringRuleSetNotFoundError';
  readonly version: number;

  constructor(version: number) {
    super(`No scoring rule set has version ${version}`, {
      'pt-BR': `Nenhum conjunto de regras de pontuação tem a versão ${version}`,
    });
    this.version = version;
  }
}

/** A version's id and number. */
export interface RuleSetRef {
  id: string;
  version: number;
}

/** The active version: one query on the activatedAt index. Null while no version exists. */
export async function findActiveRuleSet(
  db: PrismaClient | Transaction,
): Promise<RuleSetRef | null> {
  return db.scoringRuleSet.findFirst({
    where: { activatedAt: { not: null } },
    // activateRuleSet keeps activatedAt strictly increasing; version only settles rows written by
    // hand with equal times.
    orderBy: [{ activatedAt: 'desc' }, { version: 'desc' }],
    select: { id: true, version: true },
  });
}

/**
 * The active version, creating version 1 from the built-in rules when there is no version at all.
 * Safe to run from several processes at once: the unique version turns a second insert into a
 * no-op (ON CONFLICT DO NOTHING), and both then read the same row.
 */
export async function ensureActiveRuleSet(prisma: PrismaClient): Promise<RuleSetRef> {
  const active = await findActiveRuleSet(prisma);
  if (active) return active;
  await prisma.scoringRuleSet.createMany({
    data: [
      {
        version: 1,
        definition: defaultRuleSet,
        note: "The original system's rules",
        createdBy: systemAuthor,
        activatedAt: new Date(),
      },
    ],
    skipDuplicates: true,
  });
  const created = await findActiveRuleSet(prisma);
  // Only a hand edit of the table (activatedAt cleared on every row) can get here.
  if (!created) throw new Error('Scoring rule sets exist but none is active; activate one');
  return created;
}

/** What saveRuleSet needs. */
export interface SaveRuleSetOptions {
  /** The rule set as the admin sent it; validated here. */
  definition: unknown;
  note?: string | null;
  /** Whether the new version becomes the active one at once. */
  activate: boolean;
  createdBy: string;
}

/**
 * Validates a rule set and stores it as the next version, active or not. Throws
 * RuleSetValidationError (one issue per problem) or ValidationError (the note).
 */
export async function saveRuleSet(
  prisma: PrismaClient,
  options: SaveRuleSetOptions,
): Promise<ScoringRuleSet> {
  const note = options.note?.trim() || null;
  if (note !== null && note.length > NOTE_MAX_LENGTH) {
    throw new ValidationError([
      {
        path: 'note',
        message: `A note has at most ${NOTE_MAX_LENGTH.toLocaleString('en-US')} characters`,
        translations: {
          'pt-BR': `Escreva no máximo ${NOTE_MAX_LENGTH.toLocaleString('pt-BR')} caracteres`,
        },
      },
    ]);
  }
  const ruleSet = parseRuleSet(options.definition);
  // Version 1 is always the built-in rules, so the first save keeps them in the history.
  await ensureActiveRuleSet(prisma);
  return prisma.$transaction(async (tx) => {
    await lockVersions(tx);
    const { _max } = await tx.scoringRuleSet.aggregate({ _max: { version: true } });
    const saved = await tx.scoringRuleSet.create({
      data: {
        version: (_max.version ?? 0) + 1,
        definition: ruleSet,
        note,
        createdBy: options.createdBy,
      },
    });
    return options.activate ? activateLocked(tx, saved.version) : saved;
  });
}

/** Makes a version the active one; already active, it is left as it is. */
export async function activateRuleSet(
  prisma: PrismaClient,
  version: number,
): Promise<ScoringRuleSet> {
  await ensureActiveRuleSet(prisma);
  return prisma.$transaction(async (tx) => {
    await lockVersions(tx);
    const active = await findActiveRuleSet(tx);
    if (active?.version === version) {
      return tx.scoringRuleSet.findUniqueOrThrow({ where: { version } });
    }
    return activateLocked(tx, version);
  });
}

/**
 * Serialises saves and activations, so version numbers and activation times are handed out one
 * at a time. Readers and the scoring jobs' foreign-key checks are not blocked by this lock mode.
 */
async function lockVersions(tx: Transaction): Promise<void> {
  await tx.$executeRaw`LOCK TABLE scoring_rule_sets IN SHARE ROW EXCLUSIVE MODE`;
}

async function activateLocked(tx: Transaction, version: number): Promise<ScoringRuleSet> {
  // The database's clock, never below the last activation: "activated last" must not depend on
  // which API instance's clock ran ahead.
  const updated = await tx.$executeRaw`
    UPDATE scoring_rule_sets
    SET "activatedAt" = GREATEST(
      clock_timestamp(),
      (SELECT max("activatedAt") FROM scoring_rule_sets) + interval '1 millisecond'
    )
    WHERE version = ${version}`;
  if (updated === 0) throw new ScoringRuleSetNotFoundError(version);
  return tx.scoringRuleSet.findUniqueOrThrow({ where: { version } });
}

/** A stored version, validated and compiled, ready to score leads. */
export interface CompiledRuleSet extends RuleSetRef {
  ruleSet: RuleSet;
  score: LeadScorer;
}

// Versions never change, so a compiled version stays valid for the life of the process. Promises,
// so that concurrent batches needing the same version compile it once.
const compiledById = new Map<string, Promise<CompiledRuleSet>>();
const COMPILED_KEPT = 16;

/** The version with this id, compiled once per process. */
export function compiledRuleSet(prisma: PrismaClient, id: string): Promise<CompiledRuleSet> {
  let compiled = compiledById.get(id);
  if (!compiled) {
    compiled = compile(prisma, id);
    compiled.catch(() => compiledById.delete(id));
    compiledById.set(id, compiled);
    // Oldest first: Map keeps insertion order.
    if (compiledById.size > COMPILED_KEPT) compiledById.delete(compiledById.keys().next().value!);
  }
  return compiled;
}

async function compile(prisma: PrismaClient, id: string): Promise<CompiledRuleSet> {
  const row = await prisma.scoringRuleSet.findUniqueOrThrow({
    where: { id },
    select: { id: true, version: true, definition: true },
  });
  const ruleSet = parseRuleSet(row.definition);
  return { id: row.id, version: row.version, ruleSet, score: compileRuleSet(ruleSet) };
}

/** The active version, compiled: one indexed query when it is already compiled. */
export async function activeCompiledRuleSet(prisma: PrismaClient): Promise<CompiledRuleSet> {
  const active = await ensureActiveRuleSet(prisma);
  return compiledRuleSet(prisma, active.id);
}
