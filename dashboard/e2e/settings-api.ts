// The settings as the admin reads and restores them over plain HTTP: each settings test file
// changes system-wide state (active rules, integrations, SMTP) and puts it back afterwards, so
// the files that run after it see the defaults they expect.
import { asSession } from './access-api';
import type { ApiAccess } from './api';

async function data<T>(
  api: ApiAccess,
  query: string,
  variables?: Record<string, unknown>,
): Promise<T> {
  const answer = await asSession<T>(api, query, variables);
  if (!answer.data) throw new Error(`${query.slice(0, 60)}… failed: ${JSON.stringify(answer)}`);
  return answer.data;
}

export async function activeRuleSet(
  api: ApiAccess,
): Promise<{ version: number; definition: { rules: { id: string }[] } }> {
  const result = await data<{
    activeScoringRuleSet: { version: number; definition: { rules: { id: string }[] } };
  }>(api, '{ activeScoringRuleSet { version definition } }');
  return result.activeScoringRuleSet;
}

export async function activateRuleSet(api: ApiAccess, version: number): Promise<void> {
  const result = await data<{ activateScoringRuleSet: { __typename: string; message?: string } }>(
    api,
    `mutation E2eActivate($version: Int!) {
      activateScoringRuleSet(version: $version) { __typename ... on Error { message } }
    }`,
    { version },
  );
  if (result.activateScoringRuleSet.__typename !== 'ScoringRuleSet') {
    throw new Error(`activateScoringRuleSet(${version}): ${result.activateScoringRuleSet.message}`);
  }
}

/** A hypothetical lead's score with the active rules, as the API computes it. */
export async function activeScore(api: ApiAccess, input: Record<string, string>): Promise<number> {
  const result = await data<{ previewScore: { score?: number; message?: string } }>(
    api,
    `query E2ePreview($input: PreviewLeadInput!) {
      previewScore(input: $input) { ... on ScorePreview { score } ... on Error { message } }
    }`,
    { input },
  );
  if (result.previewScore.score === undefined) throw new Error(result.previewScore.message);
  return result.previewScore.score;
}

export interface SavedAutomationSettings {
  plans: { status: string; actions: string[]; followUpMinutes: number }[];
  maxAttempts: number;
  retryDelaySeconds: number;
  slackConfigured: boolean;
  n8nWebhookUrl: string | null;
  n8nSecretConfigured: boolean;
  whatsappTokenConfigured: boolean;
}

const automationFields = `plans { status actions followUpMinutes } maxAttempts retryDelaySeconds
  slackConfigured n8nWebhookUrl n8nSecretConfigured whatsappTokenConfigured`;

export async function readAutomationSettings(api: ApiAccess): Promise<SavedAutomationSettings> {
  const result = await data<{ automationSettings: SavedAutomationSettings }>(
    api,
    `{ automationSettings { ${automationFields} } }`,
  );
  return result.automationSettings;
}

export async function updateAutomationSettings(
  api: ApiAccess,
  input: Record<string, unknown>,
): Promise<void> {
  const result = await data<{ updateAutomationSettings: { __typename: string; message?: string } }>(
    api,
    `mutation E2eAutomations($input: UpdateAutomationSettingsInput!) {
      updateAutomationSettings(input: $input) { __typename ... on Error { message } }
    }`,
    { input },
  );
  if (result.updateAutomationSettings.__typename !== 'AutomationSettings') {
    throw new Error(`updateAutomationSettings: ${result.updateAutomationSettings.message}`);
  }
}

/** Puts the automation settings back as they were read, clearing secrets that were not set. */
export async function restoreAutomationSettings(
  api: ApiAccess,
  saved: SavedAutomationSettings,
): Promise<void> {
  await updateAutomationSettings(api, {
    plans: saved.plans,
    maxAttempts: saved.maxAttempts,
    retryDelaySeconds: saved.retryDelaySeconds,
    n8nWebhookUrl: saved.n8nWebhookUrl,
    // A secret cannot be read back: one that was set stays as the test left it.
    ...(saved.slackConfigured ? {} : { slackWebhookUrl: null }),
    ...(saved.n8nSecretConfigured ? {} : { n8nSecret: null }),
    ...(saved.whatsappTokenConfigured ? {} : { whatsappToken: null }),
  });
}

export interface SavedEmailSettings {
  smtpHost: string | null;
  smtpPort: number;
  smtpTls: string;
  smtpUser: string | null;
  fromAddress: string | null;
  fromName: string | null;
  schedulingLink: string | null;
  publicBaseUrl: string | null;
  sequence: { template: string; delayMinutes: number }[];
  nurturePdf: { filename: string; size: number } | null;
}

export async function readEmailSettings(api: ApiAccess): Promise<SavedEmailSettings> {
  const result = await data<{ emailSettings: SavedEmailSettings }>(
    api,
    `{ emailSettings { smtpHost smtpPort smtpTls smtpUser fromAddress fromName schedulingLink
      publicBaseUrl sequence { template delayMinutes } nurturePdf { filename size } } }`,
  );
  return result.emailSettings;
}

export async function restoreEmailSettings(api: ApiAccess, saved: SavedEmailSettings) {
  const { nurturePdf: _pdf, ...input } = saved;
  const result = await data<{ updateEmailSettings: { __typename: string; message?: string } }>(
    api,
    `mutation E2eEmail($input: UpdateEmailSettingsInput!) {
      updateEmailSettings(input: $input) { __typename ... on Error { message } }
    }`,
    { input },
  );
  if (result.updateEmailSettings.__typename !== 'EmailSettings') {
    throw new Error(`updateEmailSettings: ${result.updateEmailSettings.message}`);
  }
}

/** The email template as saved (or built in) for a key and language. */
export async function readEmailTemplate(
  api: ApiAccess,
  key: string,
  locale: string,
): Promise<{ subject: string; customized: boolean } | undefined> {
  const result = await data<{
    emailTemplates: { key: string; locale: string; subject: string; customized: boolean }[];
  }>(api, '{ emailTemplates { key locale subject customized } }');
  return result.emailTemplates.find(
    (template) => template.key === key && template.locale === locale,
  );
}
