import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, test } from 'vitest';
import apiSchema from '../../../../../server/schema.graphql?raw';
import {
  CREATE_LEAD_MUTATION,
  n8nSnippet,
  webFormSnippet,
  type WebFormLabels,
} from './api-key-snippets';

const API_URL = 'https://api.example.com/graphql';
const KEY = 'slk_0123456789abcdef';
const labels: WebFormLabels = {
  name: 'Nome',
  email: 'E-mail',
  phone: 'Telefone',
  consent: 'Aceito a política de privacidade.',
  submit: 'Enviar',
  thanks: 'Obrigado!',
  failed: 'Não foi possível enviar.',
};

// The schema the API commits: the snippets' mutation must stay valid against it.
const schema = buildSchema(apiSchema);

describe('API key snippets', () => {
  test('send a createLead mutation the API schema accepts', () => {
    expect(validate(schema, parse(CREATE_LEAD_MUTATION))).toEqual([]);
  });

  test('give n8n an HTTP Request node with the key in X-API-Key', () => {
    const workflow = JSON.parse(n8nSnippet(API_URL, KEY)) as {
      nodes: { type: string; parameters: Record<string, unknown> }[];
      connections: object;
    };
    expect(workflow.nodes).toHaveLength(1);
    const [node] = workflow.nodes;
    expect(node?.type).toBe('n8n-nodes-base.httpRequest');
    expect(node?.parameters).toMatchObject({
      method: 'POST',
      url: API_URL,
      sendHeaders: true,
      headerParameters: { parameters: [{ name: 'X-API-Key', value: KEY }] },
      sendBody: true,
      specifyBody: 'json',
    });
  });

  test('build the n8n body from the incoming item', () => {
    const { nodes } = JSON.parse(n8nSnippet(API_URL, KEY)) as {
      nodes: { parameters: { jsonBody: string } }[];
    };
    const expression = /^=\{\{(.*)\}\}$/s.exec(nodes[0]?.parameters.jsonBody ?? '')?.[1];
    expect(expression).toBeDefined();
    // n8n evaluates the expression with the item as $json; plain JavaScript does the same here.
    const evaluate = new Function('$json', `return ${expression};`) as (json: object) => string;
    const body = JSON.parse(evaluate({ name: 'Ana Souza', email: 'ana@example.com' })) as {
      query: string;
      variables: unknown;
    };
    expect(body.query).toBe(CREATE_LEAD_MUTATION);
    expect(body.variables).toEqual({
      input: { name: 'Ana Souza', email: 'ana@example.com', phone: null, origin: 'OTHER' },
    });
  });

  test('give a site a form that posts to the API with the key', () => {
    const snippet = webFormSnippet(API_URL, KEY, labels);
    const document = new DOMParser().parseFromString(snippet, 'text/html');
    const form = document.querySelector('form#streamleads-form');
    expect([...(form?.querySelectorAll('input') ?? [])].map((input) => input.name)).toEqual([
      'name',
      'email',
      'phone',
      'consent',
    ]);
    expect(form?.textContent).toContain('Aceito a política de privacidade.');
    const script = document.querySelector('script')?.textContent ?? '';
    expect(script).toContain(`fetch(${JSON.stringify(API_URL)}`);
    expect(script).toContain(`'x-api-key': ${JSON.stringify(KEY)}`);
  });

  test('escape labels so they cannot break out of the form or the script', () => {
    const hostile = '</script><script>alert(1)</script><b>';
    const snippet = webFormSnippet(API_URL, KEY, { ...labels, name: hostile, thanks: hostile });
    const document = new DOMParser().parseFromString(snippet, 'text/html');
    expect(document.querySelectorAll('script')).toHaveLength(1);
    expect(document.querySelectorAll('b')).toHaveLength(0);
    expect(document.querySelector('label')?.textContent).toContain(hostile);
  });
});
