// What every page shares: the error banner with its retry button, the loading indicator, and
// running one user action so a failure always ends in a visible, retryable state.

import { ApiError, send, token } from "./api.js";

export const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

const MESSAGES = {
  NETWORK: "网络连接失败，请检查网络后重试",
  NETWORK_timeout: "网络超时，请检查网络后重试",
  OVERLOADED: "当前申请人数较多，请稍后重试",
  RATE_LIMITED: "操作太频繁，请稍后再试",
  BAD_RESPONSE: "服务返回异常，请重试",
  TOKEN_EXPIRED: "登录已过期，请重新登录",
  UNAUTHORIZED: "请先登录",
  OTP_INVALID: "验证码错误，请重新输入",
};

let retryHandler = null;
let sticky = false;
let pending = 0;
let onUnauthorized = () => {};

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

function messageFor(err) {
  const byReason = MESSAGES[`${err.code}_${err.reason}`];
  const base = err.hint || byReason || MESSAGES[err.code] || `服务暂时不可用（${err.code}）`;
  return err.retryAfter ? `${base}（${err.retryAfter} 秒后可重试）` : base;
}

export function showError(err, retry = null) {
  const banner = $("error-banner");
  banner.dataset.code = err.code;
  if (err.reason) banner.dataset.reason = err.reason;
  else delete banner.dataset.reason;
  banner.querySelector(".banner-text").textContent = messageFor(err);
  retryHandler = retry;
  $("retry-button").hidden = retry === null;
  banner.hidden = false;
}

// A page change clears the banner, except the one that caused the change (e.g. "登录已过期").
export function clearForNewPage() {
  if (!sticky) hideError();
  sticky = false;
}

export function hideError() {
  const banner = $("error-banner");
  banner.hidden = true;
  delete banner.dataset.code;
  delete banner.dataset.reason;
  retryHandler = null;
}

function setLoading(delta) {
  pending += delta;
  $("loading").hidden = pending === 0;
}

// Runs one action; `onFail` may claim a business/process error (return true) to show it in place.
export async function perform(act, { onOk, onFail = () => false, onSettled = () => {} }) {
  hideError();
  setLoading(1);
  try {
    const result = await send(act);
    onOk(result);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    handleFailure(err, act, { onOk, onFail, onSettled });
  } finally {
    setLoading(-1);
    onSettled();
  }
}

function handleFailure(err, act, handlers) {
  if (err.status === 401) {
    token.clear();
    showError(err);
    sticky = true;
    onUnauthorized();
    return;
  }
  if (!err.retryable && handlers.onFail(err)) return;
  showError(err, err.retryable ? () => perform(act, handlers) : null);
}

export function initShared() {
  $("retry-button").addEventListener("click", () => {
    const retry = retryHandler;
    if (retry) retry();
  });
  document.addEventListener("focusin", (ev) => {
    if (ev.target.matches("input, select, textarea")) keepInView(ev.target);
  });
}

// The soft keyboard shrinks the viewport after focus; scroll once it has settled.
function keepInView(el) {
  const scroll = () => el.scrollIntoView({ block: "center", behavior: "smooth" });
  scroll();
  if (window.visualViewport) window.visualViewport.addEventListener("resize", scroll, { once: true });
}
