// JSON bodies must be UTF-8 (RFC 8259). Decoding them leniently, as fetch's Request.json() does,
// turns invalid bytes into U+FFFD and stores them in leads as if the sender had typed them: such
// a request is refused with 400 instead, before anything is parsed or written.
import { isUtf8 } from 'node:buffer';
import { createGraphQLError, type Plugin } from 'graphql-yoga';

const jsonContentType = /^application\/(graphql-response\+)?json\b|^application\/graphql\b/i;

/** Refuses POST bodies declared as JSON (or GraphQL) whose bytes are not valid UTF-8. */
export function useUtf8Bodies(): Plugin {
  return {
    async onRequestParse({ request }) {
      if (request.method !== 'POST') return;
      if (!jsonContentType.test(request.headers.get('content-type') ?? '')) return;
      // The size limit has run before (413 above MAX_REQUEST_BODY_BYTES), so the copy is bounded.
      const body = await request.clone().arrayBuffer();
      if (isUtf8(body)) return;
      throw createGraphQLError('Request body is not valid UTF-8.', {
        extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
      });
    },
  };
}
