/** The words a form snippet shows its visitors, in the admin's language. */
export interface WebFormSnippetLabels {
  name: string;
  email: string;
  phone: string;
  city: string;
  interest: string;
  approximateIncome: string;
  notes: string;
  submit: string;
  /** An HTML comment for the site's developer: how refused input comes back. */
  errorsComment: string;
}

/** What of a form its snippet depends on. */
export interface SnippetForm {
  /** Where it posts on the API, e.g. /forms/lead/contato. */
  path: string;
  consentText: string | null;
  consentRequired: boolean;
}

/** Where the form posts: its path on the API's origin (the API URL may be relative). */
export function webFormAction(apiUrl: string, pageOrigin: string, path: string): string {
  return new URL(path, new URL(apiUrl, pageOrigin)).href;
}

/** Text for an HTML attribute or element. */
function html(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** "--" would end the comment early: the comment is for people, so a dash less does no harm. */
function comment(text: string): string {
  return text.replaceAll('--', '- -').replaceAll('>', '&gt;');
}

/**
 * A form a site pastes as it is, with no JavaScript (one field a line, for the site to style): the browser posts it URL-encoded to the
 * form's endpoint (server/src/inbound/web-form.ts), which reads exactly these field names. The
 * consent box appears only when the form has a consent text; the endpoint counts any non-blank
 * `consent` as ticked, and an unticked box sends nothing.
 */
export function webFormSnippet(
  action: string,
  form: SnippetForm,
  labels: WebFormSnippetLabels,
): string {
  const consent = form.consentText
    ? `  <p><label><input name="consent" type="checkbox" value="yes"${form.consentRequired ? ' required' : ''}> ${html(form.consentText)}</label></p>\n`
    : '';
  return `<!-- ${comment(labels.errorsComment)} -->
<form method="post" action="${html(action)}" accept-charset="utf-8">
  <p><label>${html(labels.name)} <input name="name" required autocomplete="name"></label></p>
  <p><label>${html(labels.email)} <input name="email" type="email" required autocomplete="email"></label></p>
  <p><label>${html(labels.phone)} <input name="phone" type="tel" autocomplete="tel"></label></p>
  <p><label>${html(labels.city)} <input name="city" autocomplete="address-level2"></label></p>
  <p><label>${html(labels.interest)} <input name="interest"></label></p>
  <p><label>${html(labels.approximateIncome)} <input name="approximateIncome" inputmode="decimal"></label></p>
  <p><label>${html(labels.notes)} <textarea name="notes" rows="3"></textarea></label></p>
${consent}  <p><button type="submit">${html(labels.submit)}</button></p>
</form>
`;
}
