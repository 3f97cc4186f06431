// The embeddable script: <script src="<api>/embed.js" data-key="<publishable key>" defer> turns
// every <form data-streamleads> of the page into a createLead call (the key's allowedOrigins must
// list the site) with the page's UTM parameters, URL and referrer as attribution, and shows the
// field errors next to the fields. A form may word its messages with data-success-message and
// data-network-error-message, or send the visitor on with data-thank-you. Plain ES2017 with no
// dependencies: it runs as shipped on any site.

export const embedScriptPath = '/embed.js';

const source = String.raw`(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var key = script.getAttribute('data-key');
  var endpoint = new URL('/graphql', script.src).href;
  var fields = ['name', 'email', 'phone', 'city', 'interest', 'approximateIncome', 'notes'];
  var utmParameters = {
    utm_source: 'utmSource',
    utm_medium: 'utmMedium',
    utm_campaign: 'utmCampaign',
    utm_term: 'utmTerm',
    utm_content: 'utmContent'
  };
  // The API refuses longer values with a field error the visitor could not fix: cut them here.
  var maxUtmLength = 255;
  var maxUrlLength = 2000;
  var mutation =
    'mutation StreamLeadsEmbed($input: CreateLeadInput!, $key: String) {' +
    ' createLead(input: $input, idempotencyKey: $key) {' +
    ' __typename ... on CreateLeadPayload { created }' +
    ' ... on ValidationError { message fieldErrors { path message } }' +
    ' ... on Error { message } } }';

  var slotCount = 0;

  function errorSlot(form, name) {
    var slot = form.querySelector('[data-error-for="' + name + '"]');
    var input = form.elements.namedItem(name);
    if (!slot) {
      slot = document.createElement('span');
      slot.setAttribute('data-error-for', name);
      slot.className = 'streamleads-error';
      slot.setAttribute('role', 'alert');
      if (input && input.parentNode) input.parentNode.insertBefore(slot, input.nextSibling);
      else form.appendChild(slot);
    }
    // Screen readers read the error with the field it belongs to.
    if (!slot.id) slot.id = 'streamleads-error-' + ++slotCount;
    if (input && input.setAttribute) input.setAttribute('aria-describedby', slot.id);
    return slot;
  }

  function statusSlot(form) {
    var slot = form.querySelector('[data-streamleads-status]');
    if (slot) return slot;
    slot = document.createElement('p');
    slot.setAttribute('data-streamleads-status', '');
    slot.className = 'streamleads-success';
    slot.setAttribute('role', 'status');
    form.appendChild(slot);
    return slot;
  }

  function clearMessages(form) {
    var slots = form.querySelectorAll('[data-error-for], [data-streamleads-status]');
    for (var i = 0; i < slots.length; i++) slots[i].textContent = '';
    var inputs = form.querySelectorAll('[aria-invalid]');
    for (var j = 0; j < inputs.length; j++) inputs[j].removeAttribute('aria-invalid');
  }

  function showError(form, path, message) {
    var name = fields.indexOf(path) >= 0 ? path : 'form';
    errorSlot(form, name).textContent = message;
    var input = form.elements.namedItem(name);
    if (input && input.setAttribute) input.setAttribute('aria-invalid', 'true');
  }

  function httpUrl(value) {
    if (!/^https?:/i.test(value)) return undefined;
    if (value.length <= maxUrlLength) return value;
    // A huge query string (ad click ids) must not cost the lead: keep the page itself.
    var url = new URL(value);
    var page = url.origin + url.pathname;
    return page.length <= maxUrlLength ? page : undefined;
  }

  /** Where the visitor came from: the page's UTM parameters, the page and its referrer. */
  function attribution() {
    var result = {};
    var found = false;
    var params = new URLSearchParams(window.location.search);
    for (var name in utmParameters) {
      var value = (params.get(name) || '').trim();
      if (value !== '') {
        result[utmParameters[name]] = value.slice(0, maxUtmLength);
        found = true;
      }
    }
    var landingPage = httpUrl(window.location.href.split('#')[0]);
    if (landingPage) {
      result.landingPage = landingPage;
      found = true;
    }
    var referrer = document.referrer ? httpUrl(document.referrer) : undefined;
    if (referrer) {
      result.referrer = referrer;
      found = true;
    }
    return found ? result : undefined;
  }

  function randomKey() {
    return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  function bind(form) {
    // One key per filled-in form: a double click or a retry after a network error records once.
    var idempotencyKey = randomKey();
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearMessages(form);
      var input = {};
      for (var i = 0; i < fields.length; i++) {
        var element = form.elements.namedItem(fields[i]);
        if (element && element.value && element.value.trim() !== '') input[fields[i]] = element.value;
      }
      input.origin = 'SITE';
      var source = attribution();
      if (source) input.attribution = source;
      var button = form.querySelector('[type=submit]');
      if (button) button.disabled = true;
      fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': key },
        body: JSON.stringify({ query: mutation, variables: { input: input, key: idempotencyKey } }),
      })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          var result = body && body.data && body.data.createLead;
          if (!result) {
            showError(form, 'form', (body && body.errors && body.errors[0] && body.errors[0].message) || 'Could not send the form; try again.');
            return;
          }
          if (result.__typename === 'CreateLeadPayload') {
            idempotencyKey = randomKey();
            form.dispatchEvent(new CustomEvent('streamleads:submitted', { bubbles: true }));
            var thankYou = form.getAttribute('data-thank-you');
            if (thankYou) window.location.assign(thankYou);
            else {
              form.reset();
              statusSlot(form).textContent = form.getAttribute('data-success-message') || 'Thank you!';
            }
            return;
          }
          var errors = result.fieldErrors || [];
          if (errors.length === 0) showError(form, 'form', result.message);
          for (var k = 0; k < errors.length; k++) showError(form, errors[k].path, errors[k].message);
        })
        .catch(function (error) {
          // A refused origin looks like a network error to the page: CORS hides the answer.
          if (window.console) console.error('StreamLeads: the form could not be sent. If this persists, check that the API key allows ' + window.location.origin + '.', error);
          showError(form, 'form', form.getAttribute('data-network-error-message') || 'Could not send the form; try again.');
        })
        .then(function () { if (button) button.disabled = false; });
    });
  }

  function start() {
    var forms = document.querySelectorAll('form[data-streamleads]');
    for (var i = 0; i < forms.length; i++) bind(forms[i]);
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
`;

/** The script as served. */
export const embedScript = source;
