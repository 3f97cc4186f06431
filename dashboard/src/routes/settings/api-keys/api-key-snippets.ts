/** The words a web-form snippet shows its visitors, in the admin's language. */
export interface WebFormLabels {
  name: string;
  email: string;
  phone: string;
  consent: string;
  submit: string;
  thanks: string;
  failed: string;
}

/** createLead as snippets send it: the answer says whether the lead was taken, and if not why. */
export const CREATE_LEAD_MUTATION =
  'mutation CreateLead($input: CreateLeadInput!) { createLead(input: $input) { __typename ' +
  '... on ValidationError { message fieldErrors { path message } } ' +
  '... on Error { message } } }';

/** Text for an HTML attribute or element. */
function html(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/**
 * A JavaScript string literal that is also safe inside an HTML <script>: "</script>" in a label
 * would otherwise end the script early.
 */
function scriptString(text: string): string {
  return JSON.stringify(text).replaceAll('<', '\\u003c');
}

/**
 * A form a site can paste as it is: it sends name, email, phone and the consent to createLead
 * with a publishable key (leads:create) and says whether it worked. The site's origin must be
 * among the key's allowed origins, or the API refuses the browser.
 */
export function webFormSnippet(apiUrl: string, key: string, labels: WebFormLabels): string {
  return `<form id="streamleads-form">
  <label>${html(labels.name)} <input name="name" required autocomplete="name"></label>
  <label>${html(labels.email)} <input name="email" type="email" required autocomplete="email"></label>
  <label>${html(labels.phone)} <input name="phone" type="tel" autocomplete="tel"></label>
  <label><input name="consent" type="checkbox" required> ${html(labels.consent)}</label>
  <button>${html(labels.submit)}</button>
  <p id="streamleads-form-message" role="status"></p>
</form>
<script>
  document.getElementById('streamleads-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const message = document.getElementById('streamleads-form-message');
    try {
      const response = await fetch(${scriptString(apiUrl)}, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': ${scriptString(key)} },
        body: JSON.stringify({
          query: ${scriptString(CREATE_LEAD_MUTATION)},
          variables: {
            input: {
              name: data.get('name'),
              email: data.get('email'),
              phone: data.get('phone') || null,
              origin: 'SITE',
              // The version of the privacy text this form shows: change it when the text changes.
              consent: { textVersion: 'privacy-v1', source: location.origin + location.pathname },
            },
          },
        }),
      });
      const result = (await response.json()).data?.createLead;
      if (result?.__typename !== 'CreateLeadPayload') throw new Error(result?.message);
      form.reset();
      message.textContent = ${scriptString(labels.thanks)};
    } catch (error) {
      message.textContent = ${scriptString(labels.failed)};
    }
  });
</script>
`;
}

/** A JavaScript string in single quotes, which n8n expressions inside JSON need. */
function singleQuoted(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/**
 * An n8n HTTP Request node that sends the incoming item's name, email and phone to createLead
 * with the key in X-API-Key. Copied, it pastes straight into an n8n workflow (Ctrl+V on the
 * canvas), which reads nodes as JSON from the clipboard.
 */
export function n8nSnippet(apiUrl: string, key: string): string {
  const node = {
    nodes: [
      {
        name: 'StreamLeads: createLead',
        type: 'n8n-nodes-base.httpRequest',
        typeVersion: 4.2,
        position: [0, 0],
        parameters: {
          method: 'POST',
          url: apiUrl,
          sendHeaders: true,
          headerParameters: { parameters: [{ name: 'X-API-Key', value: key }] },
          sendBody: true,
          specifyBody: 'json',
          jsonBody:
            `={{ JSON.stringify({ query: ${singleQuoted(CREATE_LEAD_MUTATION)}, ` +
            "variables: { input: { name: $json.name, email: $json.email, phone: $json.phone || null, origin: 'OTHER' } } }) }}",
          options: {},
        },
      },
    ],
    connections: {},
  };
  return `${JSON.stringify(node, null, 2)}\n`;
}

/** What stands in for the key in snippets shown before one is created. */
export const KEY_PLACEHOLDER = 'slk_…';
