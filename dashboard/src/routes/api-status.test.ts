import { render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApiClient, type ApiClient } from '$lib/graphql/client';
import { I18n } from '$lib/i18n/i18n.svelte';
import {
  NodeWebSocket,
  TEST_SERVER_VERSION,
  startGraphQLTestServer,
  type GraphQLTestServer,
} from '../test/graphql-test-server';
import ApiStatus from './ApiStatus.svelte';

const responding = `API responding (version ${TEST_SERVER_VERSION})`;

const opened: { servers: GraphQLTestServer[]; api?: ApiClient } = { servers: [] };

afterEach(async () => {
  opened.api?.dispose();
  delete opened.api;
  await Promise.all(opened.servers.splice(0).map((server) => server.stop()));
});

async function startServer(port?: number) {
  const server = await startGraphQLTestServer(port);
  opened.servers.push(server);
  return server;
}

function renderStatus(url: string, paused = false) {
  opened.api = createApiClient({ url, browser: true, webSocketImpl: NodeWebSocket });
  const { client, connection } = opened.api;
  render(ApiStatus, { props: { client, connection, i18n: new I18n('en'), paused } });
  return screen.getByRole('status', { name: 'API status' });
}

describe('ApiStatus', () => {
  it('shows the API as responding, with its version, once the query answers', async () => {
    const server = await startServer();
    const status = renderStatus(server.url);

    await vi.waitFor(() => expect(status.textContent?.trim()).toBe(responding));
    expect(status.classList.contains('ok')).toBe(true);
  });

  it('shows the error when nothing answers at the API URL', async () => {
    const server = await startServer();
    await server.stop();
    opened.servers.splice(0);
    const status = renderStatus(server.url);

    await vi.waitFor(() => expect(status.textContent).toContain('API not responding'));
    expect(status.classList.contains('error')).toBe(true);
  });

  it('checks again when the API goes away and when it comes back', async () => {
    const server = await startServer();
    const status = renderStatus(server.url);
    await vi.waitFor(() => expect(status.textContent?.trim()).toBe(responding));

    await server.stop();
    opened.servers.splice(0);
    await vi.waitFor(() => expect(status.textContent).toContain('API not responding'));

    await startServer(server.port);
    await vi.waitFor(() => expect(status.textContent?.trim()).toBe(responding), {
      timeout: 8_000,
    });
  }, 15_000);

  it('stays on checking while paused', async () => {
    const server = await startServer();
    const status = renderStatus(server.url, true);
    await vi.waitFor(() => expect(opened.api?.connection.status).toBe('connected'));

    expect(status.textContent?.trim()).toBe('Checking the API…');
  });
});
