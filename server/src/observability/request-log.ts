import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { getOperationAST, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import {
  currentContext,
  requestIdFrom,
  requestIdHeader,
  runInContext,
  type RequestContext,
} from './request-context.ts';

// Our routes are short; a longer path is a caller's noise, cut before it reaches the log.
const maxPathLength = 200;

/** Options of {@link handleInRequestContext}. */
export interface RequestLogOptions {
  logger: Logger;
  /** Paths polled by machines (health checks, metrics): logged at debug, not info. */
  quietPaths: readonly string[];
}

/**
 * Handles one HTTP request in its own request context: the caller's X-Request-Id when sane (else
 * a new one) is echoed on the answer, carried by every log line and job of the request, and one
 * "request completed" line records the answer. The path is logged without its query string, which
 * can hold tokens (unsubscribe links, export links).
 */
export function handleInRequestContext(
  options: RequestLogOptions,
  request: IncomingMessage,
  response: ServerResponse,
  handle: () => void,
): void {
  const requestId = requestIdFrom(request.headers[requestIdHeader]);
  // setHeader merges with the headers yoga writes later, so every answer carries it, refusals too.
  response.setHeader(requestIdHeader, requestId);
  const context: RequestContext = { requestId };
  const started = performance.now();
  const path = (request.url ?? '/').split('?')[0]!.slice(0, maxPathLength);
  runInContext(context, () => {
    // Bound to this request's context: 'close' is emitted from the socket, whose context is the
    // connection's (and a kept-alive connection serves many requests).
    response.once(
      'close',
      AsyncResource.bind(() => {
        const level = options.quietPaths.includes(path) ? 'debug' : 'info';
        options.logger[level](
          {
            method: request.method,
            path,
            ...(context.operation ? { operation: context.operation } : {}),
            status: response.statusCode,
            ...(response.writableFinished ? {} : { aborted: true }),
            durationMs: Math.round(performance.now() - started),
          },
          'request completed',
        );
      }),
    );
    handle();
  });
}

// GraphQL names are [_A-Za-z][_0-9A-Za-z]*, safe for logs; a client may make them long.
const maxOperationNameLength = 100;

/** Records the GraphQL operation's name in the request context, for the "request completed" line. */
export function useOperationName(): Plugin {
  return {
    onExecute({ args }) {
      const context = currentContext();
      const { document, operationName } = args as ExecutionArgs;
      const name = getOperationAST(document, operationName)?.name?.value;
      if (context && name) context.operation = name.slice(0, maxOperationNameLength);
    },
  };
}
