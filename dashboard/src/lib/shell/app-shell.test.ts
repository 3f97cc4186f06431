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
import { PERMISSIONS, Session, type SessionUser } from '../session/session.svelte';
import AppShell from './AppShell.svelte';

const pageContent = createRawSnippet(() => ({ render: () => '<p>page content</p>' }));

const admin: SessionUser = {
  id: 'u1',
  name: 'Beatriz Lima',
  email: 'beatriz@example.com',
  role: 'ADMIN',
};
const seller: SessionUser = {
  id: 'u2',
  name: 'Caio Rocha',
  email: 'caio@example.com',
  role: 'SALES',
};

function renderShell({
  locale = 'pt-BR',
  connection = new ApiConnection(),
  currentPath = '/',
  session = new Session({ status: 'signed-in', user: admin, permissions: PERMISSIONS }),
  onSignOut = () => Promise.resolve(undefined),
}: {
  locale?: Locale;
  connection?: ApiConnection;
  currentPath?: string;
  session?: Session;
  onSignOut?: () => Promise<string | undefined>;
} = {}) {
  const i18n = new I18n(locale);
  render(AppShell, {
    props: { i18n, connection, currentPath, session, onSignOut, children: pageContent },
  });
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

  it('hides Settings from a role that may not change them', () => {
    renderShell({
      locale: 'en',
      session: new Session({
        status: 'signed-in',
        user: seller,
        permissions: ['leads:read', 'pipeline:write'],
      }),
    });

    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent?.trim())).toEqual([
      'Overview',
      'Leads',
    ]);
  });

  it('shows Settings to a manager, who may change the scoring rules', () => {
    renderShell({
      locale: 'en',
      session: new Session({
        status: 'signed-in',
        user: { id: 'u3', name: 'Davi Melo', email: 'davi@example.com', role: 'MANAGER' },
        permissions: ['leads:create', 'leads:read', 'leads:write', 'pipeline:write', 'rules:write'],
      }),
    });

    const nav = screen.getByRole('navigation', { name: 'Main navigation' });
    expect([...nav.querySelectorAll('a')].map((a) => a.textContent?.trim())).toEqual([
      'Overview',
      'Leads',
      'Settings',
    ]);
  });

  it('names the signed-in person and their role', () => {
    renderShell({ locale: 'pt-BR' });

    const account = screen.getByRole('region', { name: 'Sua conta' });
    expect(account.textContent).toContain('Beatriz Lima');
    expect(account.textContent).toContain('Administrador');
    expect(screen.getByRole('button', { name: 'Sair' })).toBeTruthy();
  });

  it('links the signed-in person to changing their own password', () => {
    renderShell({
      locale: 'en',
      session: new Session({
        status: 'signed-in',
        user: seller,
        permissions: ['leads:read', 'pipeline:write'],
      }),
    });

    const account = screen.getByRole('region', { name: 'Your account' });
    const link = [...account.querySelectorAll('a')].find(
      (a) => a.textContent?.trim() === 'Change password',
    );
    expect(link?.pathname).toBe('/account/password');
  });

  it('signs out from the button and says why when it could not', async () => {
    let finish: (failure: string | undefined) => void = () => {};
    const onSignOut = vi.fn(() => new Promise<string | undefined>((resolve) => (finish = resolve)));
    renderShell({ locale: 'en', onSignOut });

    await fireEvent.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(onSignOut).toHaveBeenCalledTimes(1);
    const busy = screen.getByRole('button', { name: 'Signing out…' }) as HTMLButtonElement;
    expect(busy.disabled).toBe(true);

    finish('[Network] Failed to fetch');
    await vi.waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain(
        'Could not sign out: [Network] Failed to fetch',
      ),
    );
    expect((screen.getByRole('button', { name: 'Sign out' }) as HTMLButtonElement).disabled).toBe(
      false,
    );
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
    opened.api.connectLive();
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
