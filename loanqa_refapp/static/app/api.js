// Talks to /v1 on the app's own origin. Every call has a deadline; a write carries an
// Idempotency-Key that belongs to the user's action, so a retry after a lost answer is replayed
// by the server instead of paying out twice.

const params = new URLSearchParams(location.search);
export const DEFAULT_TIMEOUT_MS = Number(params.get("timeout_ms")) || 15000;

const TOKEN_KEY = "loanqa.token";
const DEVICE_KEY = "loanqa.device_id";

export class ApiError extends Error {
  constructor(code, { status = 0, hint = "", message = "", reason = "", retryAfter = 0, body = null } = {}) {
    super(message || code);
    this.code = code;
    this.status = status;
    this.hint = hint;
    this.reason = reason;
    this.retryAfter = retryAfter;
    this.body = body;
  }

  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

function randomHex(bytes) {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function newKey() {
  return typeof crypto.randomUUID === "function" ? crypto.randomUUID() : randomHex(16);
}

export function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = `h5-${randomHex(8)}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

// One user action: its request and its key, fixed when the user taps; retries resend it unchanged.
export function action(method, path, body = undefined, { timeoutMs = DEFAULT_TIMEOUT_MS } = {}) {
  const key = method === "GET" ? null : newKey();
  return Object.freeze({ method, path, body, key, timeoutMs });
}

function headersFor(act) {
  const headers = { Accept: "application/json" };
  if (act.body !== undefined) headers["Content-Type"] = "application/json";
  if (act.key) headers["Idempotency-Key"] = act.key;
  const bearer = token.get();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  return headers;
}

async function fetchWithDeadline(act) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), act.timeoutMs);
  try {
    const res = await fetch(act.path, {
      method: act.method,
      headers: headersFor(act),
      body: act.body === undefined ? undefined : JSON.stringify(act.body),
      signal: controller.signal,
      cache: "no-store",
    });
    const text = await res.text();
    return { res, text };
  } catch (err) {
    const reason = controller.signal.aborted ? "timeout" : "offline";
    throw new ApiError("NETWORK", { reason, message: String(err) });
  } finally {
    clearTimeout(timer);
  }
}

function parseBody(res, text) {
  if (!text) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("BAD_RESPONSE", { status: res.status, message: `not JSON: ${text.slice(0, 80)}` });
  }
}

function errorFrom(res, data) {
  const fallback = res.status === 503 ? "OVERLOADED" : res.status === 429 ? "RATE_LIMITED" : `HTTP_${res.status}`;
  return new ApiError(data.code || fallback, {
    status: res.status,
    hint: data.hint || "",
    message: data.message || "",
    retryAfter: Number(res.headers.get("Retry-After")) || 0,
    body: data,
  });
}

function errorBody(res, text) {
  try {
    return parseBody(res, text);
  } catch {
    return {};
  }
}

export async function send(act) {
  const { res, text } = await fetchWithDeadline(act);
  if (!res.ok) throw errorFrom(res, errorBody(res, text));
  const data = parseBody(res, text);
  return { status: res.status, data, replayed: res.headers.get("Idempotent-Replayed") === "true" };
}
