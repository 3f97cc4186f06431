import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test/database.ts';

let database: TestDatabase;
let app: TestApp;
let bystander: { id: string; updatedAt: Date };

const site = 'http://site.test';
const formPage = `${site}/contato?utm_source=instagram&utm_campaign=verao`;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  const response = await app.yoga.fetch('http://api.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders },
    body: JSON.stringify({
      query: `mutation { updateInboundSettings(input: {
        formAllowedOrigins: ["${site}"], formThankYouUrl: "${site}/obrigado"
      }) { __typename } }`,
    }),
  });
  expect(await response.json()).toEqual({
    data: { updateInboundSettings: { __typename: 'InboundSettings' } },
  });
  bystander = await database.prisma.lead.create({
    data: { name: 'Bystander', email: 'bystander@example.com', origin: 'REFERRAL' },
    select: { id: true, updatedAt: true },
  });
});

afterAll(async () => {
  await app?.stop();
  await database?.drop();
});

function postForm(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.yoga.fetch('http://api.test/forms/lead', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: site,
      referer: formPage,
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

describe('the no-JavaScript form', () => {
  it('redirects back to the form with one message per refused field, recording nothing', async () => {
    const response = await postForm({ name: 'E', email: 'not an email', city: 'Santos' });
    expect(response.status).toBe(303);
    const back = new URL(response.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(`${site}/contato`);
    expect(back.searchParams.get('utm_source')).toBe('instagram');
    expect(back.searchParams.get('form_status')).toBe('invalid');
    expect(back.searchParams.get('error_email')).toBe('Enter a valid email address');
    expect(back.searchParams.get('error_name')).toBe('Name must have at least 2 letters');
    expect(await database.prisma.leadSubmission.count()).toBe(0);
  });

  it("words the messages in the visitor's language", async () => {
    const response = await postForm(
      { name: 'E', email: 'not an email' },
      { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.8' },
    );
    const back = new URL(response.headers.get('location')!);
    expect(back.searchParams.get('error_email')).toBe('Informe um e-mail válido');
    expect(back.searchParams.get('error_name')).toBe('O nome precisa ter pelo menos 2 letras');
    expect(await database.prisma.leadSubmission.count()).toBe(0);
  });

  it('saves the corrected form with its UTM parameters and landing page, then redirects to the thank-you page', async () => {
    const response = await postForm(
      {
        name: 'Elisa Prado',
        email: 'elisa@example.com',
        phone: '(11) 98765-4321',
        interest: 'Casa',
      },
      // The browser comes back from the page the error redirect showed.
      { referer: `${formPage}&form_status=invalid&error_email=x` },
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${site}/obrigado`);
    const lead = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'elisa@example.com' },
      include: { submissions: true },
    });
    expect(lead).toMatchObject({ name: 'Elisa Prado', origin: 'SITE', phone: '+5511987654321' });
    expect(lead.submissions[0]).toMatchObject({
      channel: 'WEB_FORM',
      utmSource: 'instagram',
      utmCampaign: 'verao',
      utmMedium: null,
      landingPage: formPage,
    });
  });

  it('refuses posts from pages of origins that are not allowed', async () => {
    const response = await postForm(
      { name: 'Fábio Reis', email: 'fabio@example.com' },
      { origin: 'http://evil.test', referer: 'http://evil.test/form' },
    );
    expect(response.status).toBe(403);
    expect(await database.prisma.lead.count({ where: { email: 'fabio@example.com' } })).toBe(0);
    const untouched = await database.prisma.lead.findUniqueOrThrow({ where: { id: bystander.id } });
    expect(untouched.updatedAt).toEqual(bystander.updatedAt);
  });
});

async function adminGraphql(
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) {
  const response = await app.yoga.fetch('http://api.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...app.adminHeaders, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
}

const webFormResult = `
  __typename
  ... on WebForm { id slug path thankYouUrl consentTextVersion }
  ... on ValidationError { fieldErrors { path message } }
  ... on Error { message }
`;

async function createForm(input: Record<string, unknown>) {
  const result = await adminGraphql(
    `mutation ($input: CreateWebFormInput!) { createWebForm(input: $input) { ${webFormResult} } }`,
    { input },
  );
  return result.data?.['createWebForm'] as Record<string, unknown>;
}

async function updateForm(id: unknown, input: Record<string, unknown>) {
  const result = await adminGraphql(
    `mutation ($id: ID!, $input: UpdateWebFormInput!) {
      updateWebForm(id: $id, input: $input) { ${webFormResult} }
    }`,
    { id, input },
  );
  return result.data?.['updateWebForm'] as Record<string, unknown>;
}

function postFormAt(
  slug: string,
  fields: Record<string, string>,
  page: string,
  headers: Record<string, string> = {},
) {
  return app.yoga.fetch(`http://api.test/forms/lead/${slug}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: new URL(page).origin,
      referer: page,
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

describe('forms with their own settings', () => {
  const partner = 'https://parceiro.test';
  let partnerForm: Record<string, unknown>;
  let consentForm: Record<string, unknown>;

  beforeAll(async () => {
    partnerForm = await createForm({
      slug: 'parceiro',
      name: 'Partner landing page',
      thankYouUrl: `${partner}/valeu`,
      errorUrl: `${partner}/erro?x=1`,
      allowedOrigins: [partner],
      defaultOrigin: 'REFERRAL',
      defaultInterest: 'Consórcio',
    });
    expect(partnerForm).toMatchObject({ __typename: 'WebForm', path: '/forms/lead/parceiro' });
    consentForm = await createForm({
      slug: 'contato-lgpd',
      name: 'Contact with consent',
      thankYouUrl: `${site}/obrigado-lgpd`,
      allowedOrigins: [site],
      consentRequired: true,
      consentText: 'Aceito receber contato da equipe de vendas.',
      consentTextVersion: 'contato-2026-11',
    });
    expect(consentForm).toMatchObject({ __typename: 'WebForm', slug: 'contato-lgpd' });
  });

  it('redirects each form to its own thank-you page with its default origin and interest', async () => {
    const response = await postFormAt(
      'parceiro',
      { name: 'Gabriel Lima', email: 'gabriel@example.com', referrer: 'https://busca.test/?q=x' },
      `${partner}/oferta?utm_source=parceiro&utm_medium=banner`,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${partner}/valeu`);
    const lead = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'gabriel@example.com' },
      include: { submissions: true, consents: true },
    });
    expect(lead).toMatchObject({ origin: 'REFERRAL', interest: 'Consórcio' });
    expect(lead.consents).toEqual([]);
    expect(lead.submissions[0]).toMatchObject({
      channel: 'WEB_FORM',
      utmSource: 'parceiro',
      utmMedium: 'banner',
      landingPage: `${partner}/oferta?utm_source=parceiro&utm_medium=banner`,
      referrer: 'https://busca.test/?q=x',
    });
    expect(lead.submissions[0]!.payload).toMatchObject({ form: 'parceiro' });
  });

  it('sends refused input to the form’s error page with one message per field', async () => {
    const response = await postFormAt(
      'parceiro',
      { name: 'Gabriela', email: 'gabriela@' },
      `${partner}/oferta`,
    );
    expect(response.status).toBe(303);
    const back = new URL(response.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(`${partner}/erro`);
    expect(back.searchParams.get('x')).toBe('1');
    expect(back.searchParams.get('error_email')).toBe('Enter a valid email address');
    expect(await database.prisma.lead.count({ where: { name: 'Gabriela' } })).toBe(0);
  });

  it('accepts each form only from its own allowed origins', async () => {
    // The default form's site may not post the partner's form, nor the partner the default one.
    const fromSite = await postFormAt(
      'parceiro',
      { name: 'Helena Souza', email: 'helena@example.com' },
      `${site}/contato`,
    );
    expect(fromSite.status).toBe(403);
    const fromPartner = await app.yoga.fetch('http://api.test/forms/lead', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: partner,
        referer: `${partner}/oferta`,
      },
      body: new URLSearchParams({ name: 'Helena Souza', email: 'helena@example.com' }).toString(),
      redirect: 'manual',
    });
    expect(fromPartner.status).toBe(403);
    expect(await database.prisma.lead.count({ where: { email: 'helena@example.com' } })).toBe(0);
  });

  it('answers 404 for a form that does not exist, storing nothing', async () => {
    for (const slug of ['nao-existe', 'UPPER', 'a/b', 'a%20b']) {
      const response = await postFormAt(
        slug,
        { name: 'Igor Reis', email: 'igor@example.com' },
        `${site}/contato`,
      );
      expect(response.status, slug).toBe(404);
    }
    expect(await database.prisma.lead.count({ where: { email: 'igor@example.com' } })).toBe(0);
    const untouched = await database.prisma.lead.findUniqueOrThrow({ where: { id: bystander.id } });
    expect(untouched.updatedAt).toEqual(bystander.updatedAt);
  });

  it('sends a person who did not tick a required consent box back to the form, storing nothing', async () => {
    const submissionsBefore = await database.prisma.leadSubmission.count();
    const response = await postFormAt(
      'contato-lgpd',
      { name: 'Joana Dias', email: 'joana@example.com' },
      `${site}/contato-lgpd`,
    );
    expect(response.status).toBe(303);
    const back = new URL(response.headers.get('location')!);
    expect(back.origin + back.pathname).toBe(`${site}/contato-lgpd`);
    expect(back.searchParams.get('form_status')).toBe('invalid');
    expect(back.searchParams.get('error_consent')).toBe('Tick the box to agree to the terms');
    expect(await database.prisma.lead.count({ where: { email: 'joana@example.com' } })).toBe(0);
    expect(await database.prisma.leadSubmission.count()).toBe(submissionsBefore);
    expect(await database.prisma.leadConsent.count()).toBe(0);
  });

  it('records the consent with the form’s text version when the box is ticked', async () => {
    const before = new Date();
    const response = await postFormAt(
      'contato-lgpd',
      { name: 'Joana Dias', email: 'joana@example.com', consent: 'on' },
      `${site}/contato-lgpd?error_consent=x&form_status=invalid`,
    );
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${site}/obrigado-lgpd`);
    const lead = await database.prisma.lead.findUniqueOrThrow({
      where: { email: 'joana@example.com' },
      include: { submissions: true, consents: true },
    });
    expect(lead.consents).toHaveLength(1);
    expect(lead.consents[0]).toMatchObject({
      textVersion: 'contato-2026-11',
      source: 'web-form:contato-lgpd',
      submissionId: lead.submissions[0]!.id,
    });
    expect(lead.consents[0]!.givenAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(lead.submissions[0]!.landingPage).toBe(`${site}/contato-lgpd`);
  });

  it('lets admins change and delete forms, audited, and refuses invalid settings', async () => {
    const noVersion = await createForm({
      slug: 'sem-versao',
      name: 'No version',
      allowedOrigins: [site],
      consentRequired: true,
      consentText: 'Texto',
    });
    expect(noVersion).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [
        {
          path: 'consentTextVersion',
          message: 'A form that requires consent needs the version of its consent text',
        },
      ],
    });
    const invalid = await createForm({
      slug: 'Bad Slug',
      name: 'x',
      thankYouUrl: 'javascript:alert(1)',
      allowedOrigins: ['https://ok.test/path'],
    });
    expect(invalid['__typename']).toBe('ValidationError');
    expect((invalid['fieldErrors'] as { path: string }[]).map((e) => e.path).sort()).toEqual([
      'allowedOrigins.0',
      'slug',
      'thankYouUrl',
    ]);
    const taken = await createForm({ slug: 'parceiro', name: 'Again', allowedOrigins: [site] });
    expect(taken).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: 'slug', message: 'Another form already has this slug' }],
    });
    expect(await database.prisma.webForm.count()).toBe(2);

    // Consents already given point at their version: new text, new version.
    const sameVersion = await updateForm(consentForm['id'], { consentText: 'Outro texto' });
    expect(sameVersion).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: 'consentTextVersion' }],
    });
    const newVersion = await updateForm(consentForm['id'], {
      consentText: 'Outro texto',
      consentTextVersion: 'contato-2026-12',
      thankYouUrl: null,
    });
    expect(newVersion).toMatchObject({
      __typename: 'WebForm',
      consentTextVersion: 'contato-2026-12',
      thankYouUrl: null,
    });
    // Without a thank-you URL the form answers with a plain page.
    const plain = await postFormAt(
      'contato-lgpd',
      { name: 'Karla Melo', email: 'karla@example.com', consent: 'sim' },
      `${site}/contato-lgpd`,
      { 'accept-language': 'pt-BR,pt;q=0.9' },
    );
    expect(plain.status).toBe(200);
    expect(await plain.text()).toContain('Recebemos seus dados. Obrigado!');
    const karla = await database.prisma.leadConsent.findFirstOrThrow({
      where: { lead: { email: 'karla@example.com' } },
    });
    expect(karla.textVersion).toBe('contato-2026-12');

    const missing = await updateForm('00000000-0000-7000-8000-000000000000', { name: 'x' });
    expect(missing).toMatchObject({ __typename: 'WebFormNotFoundError' });

    const deleted = await adminGraphql(
      'mutation ($id: ID!) { deleteWebForm(id: $id) { __typename ... on DeleteWebFormPayload { deletedId } } }',
      { id: partnerForm['id'] },
    );
    expect(deleted.data?.['deleteWebForm']).toEqual({
      __typename: 'DeleteWebFormPayload',
      deletedId: partnerForm['id'],
    });
    const gone = await postFormAt(
      'parceiro',
      { name: 'Lucas Prado', email: 'lucas@example.com' },
      `${partner}/oferta`,
    );
    expect(gone.status).toBe(404);
    // The form's leads stay.
    expect(await database.prisma.lead.count({ where: { email: 'gabriel@example.com' } })).toBe(1);

    const listed = await adminGraphql('{ webForms { slug } }');
    expect(listed.data?.['webForms']).toEqual([{ slug: 'contato-lgpd' }]);
    const audit = await database.prisma.auditEvent.findMany({
      where: { action: { startsWith: 'settings.web-form.' } },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      select: { action: true, targetId: true },
    });
    expect(audit).toEqual([
      { action: 'settings.web-form.create', targetId: partnerForm['id'] },
      { action: 'settings.web-form.create', targetId: consentForm['id'] },
      { action: 'settings.web-form.update', targetId: consentForm['id'] },
      { action: 'settings.web-form.delete', targetId: partnerForm['id'] },
    ]);
  });
});

describe('the form endpoint’s own messages', () => {
  it('thanks the visitor in their language when the form has no thank-you page', async () => {
    const plainForm = await createForm({ slug: 'sem-obrigado', name: 'x', allowedOrigins: [site] });
    expect(plainForm['__typename']).toBe('WebForm');
    const thanks = await postFormAt(
      'sem-obrigado',
      { name: 'Nina Rocha', email: 'nina@example.com' },
      `${site}/contato`,
      { 'accept-language': 'en-GB,en;q=0.9' },
    );
    expect(thanks.status).toBe(200);
    const page = await thanks.text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('We received your details. Thank you!');
  });

  it("refuses a post from another site in the visitor's language", async () => {
    const post = (headers: Record<string, string>) =>
      postForm(
        { name: 'Otávio Reis', email: 'otavio@example.com' },
        { origin: 'http://evil.test', referer: 'http://evil.test/form', ...headers },
      );
    const portuguese = await post({ 'accept-language': 'pt-BR,pt;q=0.9' });
    expect(portuguese.status).toBe(403);
    expect(await portuguese.text()).toBe('Este site não pode enviar o formulário');
    const english = await post({});
    expect(await english.text()).toBe('This site may not post the form');
    const missing = await postFormAt(
      'nao-existe',
      { name: 'Otávio Reis', email: 'otavio@example.com' },
      `${site}/contato`,
      { 'accept-language': 'pt-BR' },
    );
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('Nenhum formulário tem este endereço');
    expect(await database.prisma.lead.count({ where: { email: 'otavio@example.com' } })).toBe(0);
  });

  it('refuses invalid form settings in Portuguese for a Portuguese admin, creating nothing', async () => {
    const before = await database.prisma.webForm.count();
    const input = {
      slug: 'Com Espaço',
      name: ' ',
      thankYouUrl: 'obrigado.html',
      allowedOrigins: [],
      consentRequired: true,
    };
    const result = await adminGraphql(
      `mutation ($input: CreateWebFormInput!) { createWebForm(input: $input) { ${webFormResult} } }`,
      { input },
      { 'accept-language': 'pt-BR,pt;q=0.9' },
    );
    expect(result.data?.['createWebForm']).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        {
          path: 'slug',
          message: 'Use de 1 a 64 letras minúsculas, números e hifens, por exemplo "contato-site"',
        },
        { path: 'name', message: 'Informe um nome' },
        { path: 'thankYouUrl', message: 'Informe uma URL http(s)' },
        { path: 'allowedOrigins', message: 'Permita pelo menos um site' },
      ],
      message:
        'slug: Use de 1 a 64 letras minúsculas, números e hifens, por exemplo "contato-site"; ' +
        'name: Informe um nome; thankYouUrl: Informe uma URL http(s); ' +
        'allowedOrigins: Permita pelo menos um site',
    });
    const consent = await adminGraphql(
      `mutation ($input: CreateWebFormInput!) { createWebForm(input: $input) { ${webFormResult} } }`,
      {
        input: {
          slug: 'com-consentimento',
          name: 'x',
          allowedOrigins: [site],
          consentRequired: true,
        },
      },
      { 'accept-language': 'pt-BR,pt;q=0.9' },
    );
    expect(consent.data?.['createWebForm']).toMatchObject({
      fieldErrors: [
        {
          path: 'consentTextVersion',
          message:
            'Um formulário que exige consentimento precisa da versão do texto de consentimento',
        },
        {
          path: 'consentText',
          message: 'Um formulário que exige consentimento precisa do texto de consentimento',
        },
      ],
    });
    const taken = await adminGraphql(
      `mutation ($input: CreateWebFormInput!) { createWebForm(input: $input) { ${webFormResult} } }`,
      { input: { slug: 'contato-lgpd', name: 'x', allowedOrigins: [site] } },
      { 'accept-language': 'pt-BR,pt;q=0.9' },
    );
    expect(taken.data?.['createWebForm']).toMatchObject({
      fieldErrors: [{ path: 'slug', message: 'Outro formulário já tem este identificador' }],
    });
    expect(await database.prisma.webForm.count()).toBe(before);
  });
});

describe('the embeddable script', () => {
  it('is served as JavaScript that any site may load', async () => {
    const response = await app.yoga.fetch('http://api.test/embed.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(await response.text()).toContain('form[data-streamleads]');
  });
});
