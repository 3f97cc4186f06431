// Email over STARTTLS and implicit TLS to a server whose certificate comes from a private CA:
// refused (with the reason) until an admin trusts that CA, then sent, the password never in the
// clear.
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphql, type Fetcher } from '../../../test/access.ts';
import { startTestApp, type TestApp } from '../../../test/app.ts';
import { createTestDatabase, type TestDatabase } from '../../../test/database.ts';
import { startSmtpSink, type SmtpSink } from '../../../test/smtp-sink.ts';

interface Pem {
  key: string;
  cert: string;
}

let database: TestDatabase;
let app: TestApp;
/** yoga.fetch, bound to its app. */
const fetchApp: Fetcher = (url, init) => app.yoga.fetch(url, init);
let privateCa: Pem;
let otherCa: Pem;
let starttls: SmtpSink;
let implicitTls: SmtpSink;

/** A CA that may sign server certificates. */
async function certificateAuthority(name: string): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: name }], {
    keySize: 2048,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** A certificate for 127.0.0.1 signed by `ca`, as a company's mail server would have. */
async function serverCertificate(ca: Pem): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: 'smtp.internal.example' }], {
    keySize: 2048,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

beforeAll(async () => {
  database = await createTestDatabase();
  app = await startTestApp(database);
  [privateCa, otherCa] = await Promise.all([
    certificateAuthority('StreamLeads Test Private CA'),
    certificateAuthority('Somebody Else CA'),
  ]);
  const certificate = await serverCertificate(privateCa);
  [starttls, implicitTls] = await Promise.all([
    startSmtpSink({ certificate }),
    startSmtpSink({ certificate, implicitTls: true }),
  ]);
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await Promise.all([starttls?.close(), implicitTls?.close()]);
  await database?.drop();
});

interface SettingsResult {
  updateEmailSettings: {
    __typename: string;
    smtpCaCertificates?: string | null;
    fieldErrors?: { path: string; message: string }[];
  };
}

async function updateSettings(input: Record<string, unknown>) {
  const response = await postGraphql<SettingsResult>(
    fetchApp,
    'http://localhost',
    {
      query: `mutation ($input: UpdateEmailSettingsInput!) {
        updateEmailSettings(input: $input) {
          __typename
          ... on EmailSettings { smtpCaCertificates }
          ... on ValidationError { fieldErrors { path message } }
        }
      }`,
      variables: { input },
    },
    app.adminHeaders,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.updateEmailSettings;
}

async function useServer(sink: SmtpSink, tls: 'STARTTLS' | 'TLS', ca: string | null) {
  const saved = await updateSettings({
    smtpHost: sink.host,
    smtpPort: sink.port,
    smtpTls: tls,
    smtpUser: sink.user,
    smtpPassword: sink.password,
    fromAddress: 'contato@imobiliaria.example',
    publicBaseUrl: 'https://api.streamleads.example',
    smtpCaCertificates: ca,
  });
  expect(saved).toEqual({ __typename: 'EmailSettings', smtpCaCertificates: ca });
}

async function sendTest(to: string) {
  const response = await postGraphql<{
    testEmailConnection: { ok: boolean; error: string | null; testEmailSent: boolean };
  }>(
    fetchApp,
    'http://localhost',
    {
      query: `mutation ($to: String) { testEmailConnection(sendTestTo: $to) { ok error testEmailSent } }`,
      variables: { to },
    },
    app.adminHeaders,
  );
  expect(response.errors).toBeUndefined();
  return response.data!.testEmailConnection;
}

describe.each([
  { mode: 'STARTTLS' as const, sink: () => starttls },
  { mode: 'TLS' as const, sink: () => implicitTls },
])('$mode to a server with a private CA', ({ mode, sink }) => {
  it(`refuses an untrusted certificate over ${mode} with the reason, and sends nothing`, async () => {
    await useServer(sink(), mode, null);
    const refused = await sendTest(`untrusted-${mode}@example.com`);
    expect(refused).toMatchObject({ ok: false, testEmailSent: false });
    expect(refused.error).toMatch(/certificate/i);

    await useServer(sink(), mode, otherCa.cert);
    const wrongCa = await sendTest(`wrong-ca-${mode}@example.com`);
    expect(wrongCa).toMatchObject({ ok: false, testEmailSent: false });
    expect(wrongCa.error).toMatch(/certificate/i);
    expect(sink().messages).toEqual([]);
  });

  it(`sends over ${mode} once the admin trusts the server's CA`, async () => {
    await useServer(sink(), mode, `${otherCa.cert}\n${privateCa.cert}`);
    const sent = await sendTest(`trusted-${mode}@example.com`);
    expect(sent).toEqual({ ok: true, error: null, testEmailSent: true });
    const [mail, ...more] = sink().messages;
    expect(more).toEqual([]);
    expect(mail).toMatchObject({ user: sink().user, to: [`trusted-${mode}@example.com`] });
  });
});

it('refuses CA text that is not PEM certificates and keeps the saved one', async () => {
  await useServer(starttls, 'STARTTLS', privateCa.cert);
  const garbage = `-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----`;
  for (const text of ['hello', garbage, `${privateCa.cert}\n${privateCa.key}`]) {
    expect(await updateSettings({ smtpCaCertificates: text })).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [
        {
          path: 'smtpCaCertificates',
          message: 'PEM certificates (-----BEGIN CERTIFICATE-----), one or more',
        },
      ],
    });
  }
  const row = await database.prisma.automationSettings.findUniqueOrThrow({
    where: { id: 'default' },
  });
  expect(row.smtpCaCertificates).toBe(privateCa.cert.trim());
  // "" clears it: back to the public CAs only.
  expect(await updateSettings({ smtpCaCertificates: '' })).toEqual({
    __typename: 'EmailSettings',
    smtpCaCertificates: null,
  });
});
