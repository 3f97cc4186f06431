import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request an HTTP sink received. */
export interface SinkRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP receiver standing in for Slack, n8n or WhatsApp. */
export interface HttpSink {
  url: string;
  requests: SinkRequest[];
  close(): Promise<void>;
}

export interface HttpSinkOptions {
  /** The status of every answer (default 200). */
  status?: number;
  /**
   * Answers with the request body quoted in an error message, as some receivers do: the run's
   * lastError then holds whatever the delivery carried.
   */
  echoBody?: boolean;
  /** Answers each request itself (a fake API such as Meta's Graph API); wins over the above. */
  respond?: (request: SinkRequest) => { status: number; body: unknown };
}

/** Starts a sink on a free port of 127.0.0.1 that records every request. */
export async function startHttpSink(options: HttpSinkOptions = {}): Promise<HttpSink> {
  const status = options.status ?? 200;
  const requests: SinkRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const received = { path: request.url ?? '', headers: request.headers, body };
      requests.push(received);
      if (options.respond) {
        const answer = options.respond(received);
        response.writeHead(answer.status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(answer.body));
        return;
      }
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(options.echoBody ? `cannot process ${body}` : `sink says ${status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
