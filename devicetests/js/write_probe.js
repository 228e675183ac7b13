// Record every non-GET fetch with its Idempotency-Key, once per page.
if (!window.__loanqaWrites) {
  window.__loanqaWrites = [];
  const orig = window.fetch;
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    const method = (init && init.method) || 'GET';
    const h = new Headers((init && init.headers) || {});
    if (method !== 'GET') window.__loanqaWrites.push({url: new URL(url, location.href).pathname, method, key: h.get('Idempotency-Key')});
    return orig.apply(this, arguments);
  };
}
