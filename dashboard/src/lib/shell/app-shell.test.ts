import { fireEvent, render, screen } from '@testing-library/svelte';
import { createRawSnippet, flushSync } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  NodeWebSocket,
  startGraphQLTestServer,
  type GraphQLTestServer,
} from '../../test/graphql-test-server';
import { createApiClient, type ApiClient } from '../graphql/client';
import { ApiConnection } from '../graphql/connection.svelte';
import { I18n } from '../i18n/i18n.svelte';
import type { Locale } from '../i18n/locale';
import AppShell from './AppShell.svelte';

const pageContent = createRawSnippet(() => ({ render: () => '<p>page content</p>' }));

function renderShell({
  locale = 'pt-BR',
  connection = new ApiConnection(),
  currentPath = '/',
}: { locale?: Locale; connection?: ApiConnection; currentPath?: string } = {}) {
  const i18n = new I18n(locale);
  render(AppShell, { props: { i18n, connection, currentPath, children: pageContent } });
  return { i18n, connection };
}

const bannerText = {
  'pt-BR': 'API inacessível — reconectando…',
  en: 'API unreachable — reconnecting…',
};

describe('AppShell', () => {
  const opened: { server?: GraphQLTestServer; api?: ApiClient } = {};

  afterEach(async () => {
    opened.api?.dispose();
    await opened.server?.stop();
    delete opened.api;
    delete opened.server;
  });

  it('renders landmarks, the page content and the navigation', () => {
    renderShell({ locale: 'en' });

    expect(screen.getByRole('banner')).toBeTruthy();
    expect(screen.getByRole('main').textContent).toContain('page content');
    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    const links = [...nav.querySelectorAll('a')].map((a) => [a.textContent?.trim(), a.pathname]);
    expect(links).toEqual([
      ['Overview', '/'],
      ['Leads', '/leads'],
      ['Settings', '/settings'],
    ]);
  });

  it('marks the link of the current section as the current page', () => {
    renderShell({ locale: 'en', currentPath: '/leads/42' });

    expect(screen.getByRole('link', { name: 'Leads' }).getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('link', { name: 'Overview' }).getAttribute('aria-current')).toBeNull();
  });

  it('shows the banner when the connection is down and hides it when connected', () => {
    const { connection } = renderShell({ locale: 'en' });
    expect(screen.queryByText(bannerText.en)).toBeNull();

    connection.receive('closed');
    flushSync();
    expect(screen.getByRole('status').textContent).toContain(bannerText.en);

    // A retry in progress is still an outage.
    connection.receive('connecting');
    flushSync();
    expect(screen.queryByText(bannerText.en)).not.toBeNull();

    connection.receive('connected');
    flushSync();
    expect(screen.queryByText(bannerText.en)).toBeNull();
  });

  it('follows a real API going away and coming back', async () => {
    opened.server = await startGraphQLTestServer();
    const { port, url } = opened.server;
    opened.api = createApiClient({ url, browser: true, webSocketImpl: NodeWebSocket });
    renderShell({ connection: opened.api.connection });

    await vi.waitFor(() => expect(opened.api?.connection.status).toBe('connected'));
    expect(screen.queryByText(bannerText['pt-BR'])).toBeNull();

    await opened.server.stop();
    delete opened.server;
    await vi.waitFor(() => expect(screen.queryByText(bannerText['pt-BR'])).not.toBeNull());

    opened.server = await startGraphQLTestServer(port);
    await vi.waitFor(() => expect(screen.queryByText(bannerText['pt-BR'])).toBeNull(), {
      timeout: 8_000,
    });
  }, 15_000);

  it('switches the visible text to English from the language picker and remembers it', async () => {
    renderShell({ locale: 'pt-BR' });
    expect(screen.getByRole('link', { name: 'Visão geral' })).toBeTruthy();

    const picker = screen.getByLabelText('Idioma');
    await fireEvent.change(picker, { target: { value: 'en' } });

    expect(screen.getByRole('link', { name: 'Overview' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Visão geral' })).toBeNull();
    expect(screen.getByLabelText('Language')).toBe(picker);
    expect(document.cookie).toContain('streamleads_locale=en');
    expect(document.documentElement.lang).toBe('en');
  });
});
