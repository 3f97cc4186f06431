// The embeddable script: <script src="<api>/embed.js" data-key="<publishable key>" defer> turns
// every <form data-streamleads> of the page into a createLead call (the key's allowedOrigins must
// list the site) and shows the field errors next to the fields. Plain ES2017 with no
// dependencies: it runs as shipped on any site.

export const embedScriptPath = '/embed.js';

const source = String.raw`(function () {
  'use strict';
  var script = document.currentScript;
  if (!script) return;
  var key = script.getAttribute('data-key');
  var endpoint = new URL('/graphql', script.src).href;
  var fields = ['name', 'email', 'phone', 'city', 'interest', 'approximateIncome', 'notes'];
  var mutation =
    'mutation StreamLeadsEmbed($input: CreateLeadInput!, $key: String) {' +
    ' createLead(input: $input, idempotencyKey: $key) {' +
    ' __typename ... on CreateLeadPayload { created }' +
    ' ... on ValidationError { message fieldErrors { path message } }' +
    ' ... on Error { message } } }';

  function errorSlot(form, name) {
    var slot = form.querySelector('[data-error-for="' + name + '"]');
    if (slot) return slot;
    var input = form.elements.namedItem(name);
    slot = document.createElement('span');
    slot.setAttribute('data-error-for', name);
    slot.className = 'streamleads-error';
    slot.setAttribute('role', 'alert');
    if (input && input.parentNode) input.parentNode.insertBefore(slot, input.nextSibling);
    else form.appendChild(slot);
    return slot;
  }

  function clearErrors(form) {
    var slots = form.querySelectorAll('[data-error-for]');
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

  function randomKey() {
    return crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random();
  }

  function bind(form) {
    // One key per filled-in form: a double click or a retry after a network error records once.
    var idempotencyKey = randomKey();
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      clearErrors(form);
      var input = {};
      for (var i = 0; i < fields.length; i++) {
        var element = form.elements.namedItem(fields[i]);
        if (element && element.value && element.value.trim() !== '') input[fields[i]] = element.value;
      }
      input.origin = 'SITE';
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
              showError(form, 'form', form.getAttribute('data-success-message') || 'Thank you!');
            }
            return;
          }
          var errors = result.fieldErrors || [];
          if (errors.length === 0) showError(form, 'form', result.message);
          for (var k = 0; k < errors.length; k++) showError(form, errors[k].path, errors[k].message);
        })
        .catch(function () { showError(form, 'form', 'Could not send the form; try again.'); })
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
