// Record every fetch the app makes and what the target answered, once per page: the evidence a device
// failure's cause is read from, and the device runner's per-loan event log.
if (!window.__loanqaCalls) {
  window.__loanqaCalls = [];
  const orig = window.fetch;
  const codeOf = async (res) => {
    try {
      const body = await res.clone().json();
      return { code: body.code || null, loanId: body.loan_id || null, borrowerId: body.borrower_id || null };
    } catch {
      return { code: null, loanId: null, borrowerId: null };
    }
  };
  window.fetch = function (input, init) {
    const url = typeof input === 'string' ? input : input.url;
    const h = new Headers((init && init.headers) || {});
    const call = {
      path: new URL(url, location.href).pathname, method: (init && init.method) || 'GET',
      key: h.get('Idempotency-Key'), started: Date.now(), durationMs: null, status: null, code: null,
      requestId: null, replayed: false, retryAfter: false, error: null, loanId: null, borrowerId: null,
    };
    window.__loanqaCalls.push(call);
    const pending = orig.apply(this, arguments);
    pending.then(async (res) => {
      Object.assign(call, await codeOf(res), {
        status: res.status, requestId: res.headers.get('X-Request-Id'),
        replayed: res.headers.get('Idempotent-Replayed') === 'true', retryAfter: res.headers.has('Retry-After'),
        durationMs: Date.now() - call.started,
      });
    }, (err) => {
      Object.assign(call, { error: String((err && err.name) || err), durationMs: Date.now() - call.started });
    });
    return pending;
  };
}
