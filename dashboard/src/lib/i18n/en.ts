import type { Messages } from './pt-br';

export const en: Messages = {
  'app.name': 'StreamLeads',
  'app.skipToContent': 'Skip to content',
  'nav.label': 'Main navigation',
  'nav.overview': 'Overview',
  'nav.leads': 'Leads',
  'nav.settings': 'Settings',
  'language.label': 'Language',
  'language.pt-BR': 'Português (Brasil)',
  'language.en': 'English',
  'connection.lost': 'API unreachable — reconnecting…',
  'overview.title': 'Overview',
  'overview.empty':
    'Funnel indicators (leads received; hot, warm and cold leads; automations run) and charts will appear here, updated live as soon as the first leads arrive.',
  'apiStatus.label': 'API status',
  'apiStatus.checking': 'Checking the API…',
  'apiStatus.ok': 'API responding',
  'apiStatus.error': 'API not responding: {reason}',
  'leads.title': 'Leads',
  'leads.empty':
    'The list of leads, filterable by temperature (hot, warm, cold), source and date, will appear here once lead search is available.',
  'settings.title': 'Settings',
  'settings.empty':
    'Scoring rules and automations (Slack, WhatsApp, email) will appear here, editable without restarting the system.',
  'signIn.title': 'Sign in',
  'signIn.empty': 'Email and password sign-in will appear here once accounts are enabled.',
};
