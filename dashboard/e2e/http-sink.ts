import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the sink received. */
export interface SinkRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP receiver standing in for Slack and n8n; `status` is what it answers next. */
export interface HttpSink {
  url: string;
  requests: SinkRequest[];
  status: number;
  close(): Promise<void>;
}

/** Starts a sink on a free port of 127.0.0.1 that records every request. */
export async function startHttpSink(): Promise<HttpSink> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      sink.requests.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(sink.status, { 'content-type': 'text/plain' });
      response.end(`sink says ${sink.status}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const sink: HttpSink = {
    url: `http://127.0.0.1:${port}`,
    requests: [],
    status: 200,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
  return sink;
}
