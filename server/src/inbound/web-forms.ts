// The no-JavaScript forms' settings: one row per form (POST /forms/lead/<slug>), plus the default
// form at /forms/lead, whose settings live in the inbound settings. Admins edit the forms through
// GraphQL (web-form.schema.ts); the form endpoint (web-form.ts) reads them on every post, so a
// change applies at once on every instance.
import { z } from 'zod';
import type { PrismaClient } from '../db.ts';
import { AppError, fieldErrorsOf, ValidationError, type FieldError } from '../errors.ts';
import { Prisma, type WebForm } from '../generated/prisma/client.ts';
import { LeadOrigin } from '../generated/prisma/enums.ts';
import { isLeadId } from '../leads/leads.ts';
import { bilingual } from '../localization/catalog.ts';
import { readInboundSettings } from './inbound-settings.ts';

/** What the form endpoint does with one form's posts. */
export interface WebFormConfig {
  /** The form's slug; null for the default form (/forms/lead). */
  slug: string | null;
  thankYouUrl: string | null;
  /** Where refused input is sent back; null: the page that posted (same origin), else a 422. */
  errorUrl: string | null;
  allowedOrigins: string[];
  defaultOrigin: LeadOrigin;
  defaultInterest: string | null;
  consentRequired: boolean;
  /** Recorded with a ticked consent box; without it, a ticked box records nothing. */
  consentTextVersion: string | null;
}

/** The settings of the form at this slug (null: the default form), or null when none has it. */
export async function findWebFormConfig(
  prisma: PrismaClient,
  slug: string | null,
): Promise<WebFormConfig | null> {
  if (slug === null) {
    const settings = await readInboundSettings(prisma);
    return {
      slug: null,
      thankYouUrl: settings.formThankYouUrl,
      errorUrl: null,
      allowedOrigins: settings.formAllowedOrigins,
      defaultOrigin: 'SITE',
      defaultInterest: null,
      consentRequired: false,
      consentTextVersion: null,
    };
  }
  if (!webFormSlug.test(slug)) return null;
  const form = await prisma.webForm.findUnique({ where: { slug } });
  return form && configOf(form);
}

function configOf(form: WebForm): WebFormConfig {
  return {
    slug: form.slug,
    thankYouUrl: form.thankYouUrl,
    errorUrl: form.errorUrl,
    allowedOrigins: form.allowedOrigins,
    defaultOrigin: form.defaultOrigin,
    defaultInterest: form.defaultInterest,
    consentRequired: form.consentRequired,
    consentTextVersion: form.consentTextVersion,
  };
}

export class WebFormNotFoundError extends AppError {
  override name = 'WebFormNotFoundError';
  constructor(id: string) {
    super(`No web form has the id "${id}"`, { 'pt-BR': `Nenhum formulário web tem o id "${id}"` });
  }
}

/** Lower-case letters, digits and single hyphens inside, as it appears in the form's URL. */
export const webFormSlug = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** How many forms may exist: each is read on every post, and an admin needs a handful. */
export const maxWebForms = 100;

// The checks the forms share with the default form's inbound settings (inbound.schema.ts). Lengths
// keep zod's default wording ("At most 2,000 characters"), which comes in both languages.

/** A thank-you or error page: http or https only, so a form never redirects to javascript:. */
export const httpUrl = z
  .url({
    protocol: /^https?$/,
    error: bilingual('Enter an http(s) URL', 'Informe uma URL http(s)'),
  })
  .max(2_000);

/** The sites whose pages may post a form, each an origin alone. */
export const allowedOrigins = z
  .array(
    z.string().refine((value) => URL.canParse(value) && new URL(value).origin === value, {
      error: bilingual(
        'Enter an origin such as https://www.example.com (no path)',
        'Informe só a origem, como https://www.example.com (sem caminho)',
      ),
    }),
  )
  .max(50, bilingual('At most 50 origins', 'No máximo 50 sites'));

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((value) => (value === '' ? null : value));

const allowAtLeastOneSite = bilingual('Allow at least one site', 'Permita pelo menos um site');

const webFormFields = {
  slug: z
    .string()
    .trim()
    .regex(
      webFormSlug,
      bilingual(
        'Use 1 to 64 lower-case letters, digits and hyphens, e.g. "contact-page"',
        'Use de 1 a 64 letras minúsculas, números e hifens, por exemplo "contato-site"',
      ),
    ),
  name: z.string().trim().min(1, bilingual('Enter a name', 'Informe um nome')).max(255),
  thankYouUrl: httpUrl.nullish(),
  errorUrl: httpUrl.nullish(),
  allowedOrigins,
  defaultOrigin: z.enum(LeadOrigin),
  defaultInterest: optionalText(2_000),
  consentRequired: z.boolean(),
  consentText: optionalText(10_000),
  consentTextVersion: optionalText(64),
};

export const createWebFormSchema = z.object({
  ...webFormFields,
  allowedOrigins: webFormFields.allowedOrigins.min(1, allowAtLeastOneSite),
  defaultOrigin: webFormFields.defaultOrigin.default('SITE'),
  consentRequired: webFormFields.consentRequired.default(false),
});

export const updateWebFormSchema = z.object({
  slug: webFormFields.slug.optional(),
  name: webFormFields.name.optional(),
  thankYouUrl: webFormFields.thankYouUrl,
  errorUrl: webFormFields.errorUrl,
  allowedOrigins: webFormFields.allowedOrigins.min(1, allowAtLeastOneSite).nullish(),
  defaultOrigin: webFormFields.defaultOrigin.nullish(),
  defaultInterest: webFormFields.defaultInterest,
  consentRequired: webFormFields.consentRequired.nullish(),
  consentText: webFormFields.consentText,
  consentTextVersion: webFormFields.consentTextVersion,
});

type WebFormValues = Omit<Prisma.WebFormCreateInput, 'id' | 'createdAt' | 'updatedAt'>;

/**
 * The consent rules that span fields: a form that requires consent names the text and its
 * version, and a changed text needs a new version, since the consents already recorded point at
 * the version they were given to.
 */
function checkConsent(next: WebFormValues, previous: WebForm | null): void {
  const errors: FieldError[] = [];
  if (next.consentRequired && !next.consentTextVersion) {
    errors.push({
      path: 'consentTextVersion',
      message: 'A form that requires consent needs the version of its consent text',
      translations: {
        'pt-BR':
          'Um formulário que exige consentimento precisa da versão do texto de consentimento',
      },
    });
  }
  if (next.consentRequired && !next.consentText) {
    errors.push({
      path: 'consentText',
      message: 'A form that requires consent needs its text',
      translations: {
        'pt-BR': 'Um formulário que exige consentimento precisa do texto de consentimento',
      },
    });
  }
  if (
    previous?.consentTextVersion &&
    (next.consentText ?? null) !== previous.consentText &&
    next.consentTextVersion === previous.consentTextVersion
  ) {
    errors.push({
      path: 'consentTextVersion',
      message:
        'Give the changed consent text a new version: the consents already given refer to this one',
      translations: {
        'pt-BR':
          'Dê uma nova versão ao texto de consentimento alterado: os consentimentos já dados se referem a esta',
      },
    });
  }
  if (errors.length > 0) throw new ValidationError(errors);
}

function slugTaken(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

const slugTakenError = () =>
  new ValidationError([
    {
      path: 'slug',
      message: 'Another form already has this slug',
      translations: { 'pt-BR': 'Outro formulário já tem este identificador' },
    },
  ]);

/** Creates a form; refuses invalid input, a taken slug or one form too many. */
export async function createWebForm(prisma: PrismaClient, input: unknown): Promise<WebForm> {
  const parsed = createWebFormSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error.issues));
  const values: WebFormValues = parsed.data;
  checkConsent(values, null);
  if ((await prisma.webForm.count()) >= maxWebForms) {
    throw new ValidationError([
      {
        path: '',
        message: `At most ${maxWebForms} forms; delete one you no longer use`,
        translations: {
          'pt-BR': `No máximo ${maxWebForms} formulários; exclua um que não usa mais`,
        },
      },
    ]);
  }
  try {
    return await prisma.webForm.create({ data: values });
  } catch (error) {
    if (slugTaken(error)) throw slugTakenError();
    throw error;
  }
}

/** Changes a form; absent fields stay, null clears an optional one. */
export async function updateWebForm(
  prisma: PrismaClient,
  id: string,
  input: unknown,
): Promise<WebForm> {
  const parsed = updateWebFormSchema.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrorsOf(parsed.error.issues));
  const changes = Object.fromEntries(
    Object.entries(parsed.data).filter(([, value]) => value !== undefined),
  ) as Partial<WebFormValues>;
  for (const required of ['allowedOrigins', 'defaultOrigin', 'consentRequired'] as const) {
    if (changes[required] === null) delete changes[required];
  }
  return prisma.$transaction(async (tx) => {
    // FOR UPDATE: two admins changing the consent text at once cannot both keep the old version.
    const [locked] = isLeadId(id)
      ? await tx.$queryRaw<{ id: string }[]>`
          SELECT "id" FROM "web_forms" WHERE "id" = ${id}::uuid FOR UPDATE`
      : [];
    const previous = locked ? await tx.webForm.findUnique({ where: { id } }) : null;
    if (!previous) throw new WebFormNotFoundError(id);
    const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...current } = previous;
    checkConsent({ ...current, ...changes }, previous);
    try {
      return await tx.webForm.update({ where: { id }, data: changes });
    } catch (error) {
      if (slugTaken(error)) throw slugTakenError();
      throw error;
    }
  });
}

/** Deletes a form: its URL answers 404 from then on. Its leads and consents stay. */
export async function deleteWebForm(prisma: PrismaClient, id: string): Promise<WebForm> {
  if (!isLeadId(id)) throw new WebFormNotFoundError(id);
  try {
    return await prisma.webForm.delete({ where: { id } });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025') {
      throw new WebFormNotFoundError(id);
    }
    throw error;
  }
}
