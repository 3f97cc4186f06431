import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type * as GraphQLModule from 'graphql';
import type * as GraphQLWsForWs from 'graphql-ws/use/ws';
import type * as WebSocketModule from 'ws';

// The server side is loaded by Node's own require, outside Vite:
// - Vitest runs component tests with Node's `--conditions browser`, which maps `ws` to a stub
//   that throws, so `ws` is loaded by the path of its Node entry point;
// - graphql-ws is left to Node while Vite would hand this file graphql's ESM build, and graphql
//   refuses a schema built by its other copy ("from another module or realm").
const require = createRequire(import.meta.url);
const ws = require(
  join(dirname(require.resolve('ws/package.json')), 'index.js'),
) as typeof WebSocketModule;
const {
  GraphQLError,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  graphql,
} = require('graphql') as typeof GraphQLModule;
const { useServer } = require('graphql-ws/use/ws') as typeof GraphQLWsForWs;

/**
 * A Node WebSocket client for `createApiClient({ webSocketImpl })`: jsdom's own WebSocket
 * (undici's) fails inside Vitest, where jsdom's Event replaces Node's.
 */
export const NodeWebSocket: unknown = ws.WebSocket;

/** What the test server answers to `version`, as the StreamLeads API answers its own. */
export const TEST_SERVER_VERSION = '0.0.0-test';

/**
 * A real GraphQL server in the StreamLeads shape (HTTP and graphql-ws on one port, path
 * /graphql) that tests start on a free port, stop to simulate an outage and start again.
 */
export interface GraphQLTestServer {
  url: string;
  port: number;
  /** Every HTTP request received, in order. */
  requests: { method: string; headers: IncomingMessage['headers'] }[];
  /**
   * As when the API revokes a session: open sockets close with 4403 and new ones are refused
   * (also 4403) from then on.
   */
  revokeSessions(): void;
  /** WebSockets open now. */
  openSockets(): number;
  stop(): Promise<void>;
}

/** What the API answers without a valid session, as `extensions.code`. */
const unauthenticated = () =>
  new GraphQLError('Sign in or send an API key to use secret.', {
    extensions: { code: 'UNAUTHENTICATED' },
  });

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      greeting: { type: GraphQLString, resolve: () => 'olá' },
      version: { type: new GraphQLNonNull(GraphQLString), resolve: () => TEST_SERVER_VERSION },
      // Like every StreamLeads field but `viewer`: out of reach without a session, which this
      // server never has.
      secret: {
        type: GraphQLString,
        resolve: () => {
          throw unauthenticated();
        },
      },
    },
  }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      countdown: {
        type: new GraphQLNonNull(GraphQLInt),
        args: { from: { type: new GraphQLNonNull(GraphQLInt) } },
        async *subscribe(_root, args: { from: number }) {
          for (let n = args.from; n >= 0; n--) yield { countdown: n };
        },
      },
    },
  }),
});

export async function startGraphQLTestServer(port = 0): Promise<GraphQLTestServer> {
  const requests: GraphQLTestServer['requests'] = [];
  let sessionsRevoked = false;
  const http = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/graphql' || !['GET', 'POST'].includes(request.method ?? '')) {
      response.writeHead(404).end();
      return;
    }
    requests.push({ method: request.method ?? '', headers: request.headers });
    // The API's CSRF prevention: a request a browser would send without a preflight needs it.
    const preflighted = /^application\/(graphql-response\+)?json/i.test(
      request.headers['content-type'] ?? '',
    );
    if (!preflighted && request.headers['x-graphql-yoga-csrf'] === undefined) {
      response
        .writeHead(403, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ message: 'Required CSRF header(s) not present' }] }));
      return;
    }
    void readRequest(request, url).then(async (body) => {
      const result = await graphql({
        schema,
        source: body.query,
        variableValues: body.variables,
        operationName: body.operationName,
      });
      const refused = result.errors?.some((error) => error.extensions.code === 'UNAUTHENTICATED');
      response
        .writeHead(refused ? 401 : 200, { 'content-type': 'application/json' })
        .end(JSON.stringify(result));
    });
  });
  const sockets = new ws.WebSocketServer({ server: http, path: '/graphql' });
  // Returning false closes the socket with 4403 Forbidden, as the API does without a session.
  const graphqlWs = useServer({ schema, onConnect: () => !sessionsRevoked }, sockets);

  await listen(http, port);
  const actualPort = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}/graphql`,
    port: actualPort,
    requests,
    revokeSessions() {
      sessionsRevoked = true;
      for (const socket of sockets.clients) socket.close(4403, 'Forbidden');
    },
    openSockets: () => sockets.clients.size,
    async stop() {
      // A crash, not a graceful shutdown: clients see an abnormal close, as when the API dies.
      for (const socket of sockets.clients) socket.terminate();
      // Also closes the WebSocketServer.
      await graphqlWs.dispose();
      http.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        http.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

interface GraphQLRequestBody {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
}

/** urql sends queries as GET (parameters in the URL) and mutations as POST (JSON body). */
async function readRequest(request: IncomingMessage, url: URL): Promise<GraphQLRequestBody> {
  if (request.method === 'GET') {
    const variables = url.searchParams.get('variables');
    return {
      query: url.searchParams.get('query') ?? '',
      variables: variables ? (JSON.parse(variables) as Record<string, unknown>) : undefined,
      operationName: url.searchParams.get('operationName') ?? undefined,
    };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as GraphQLRequestBody;
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
