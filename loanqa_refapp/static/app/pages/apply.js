// Loan application. A rejection (credit, anti-fraud, multi-lending) is a decision, not an error:
// it is shown in `decision-status` with its code, never in the error banner.

import { action, deviceId } from "../api.js";
import { go } from "../router.js";
import { journey } from "../store.js";
import { $, perform } from "../ui.js";

const REJECTIONS = {
  CREDIT_REJECTED: "很抱歉，综合评分不足，暂时无法为您放款",
  FRAUD_FLAGGED: "申请存在风险，暂时无法受理",
  MULTI_LENDING: "您在其他平台的借款较多，暂时无法放款",
  DUPLICATE_APPLICATION: "您已有一笔待签约的申请，请勿重复提交",
};
const APPROVED_PAUSE_MS = 1000;
let advanceTimer = null;

function showDecision(status, text, code = null) {
  const box = $("decision-status");
  box.dataset.status = status;
  if (code) box.dataset.code = code;
  else delete box.dataset.code;
  box.textContent = text;
  box.hidden = false;
}

function approved(data) {
  journey.set({ loan_id: data.loan_id, contract_sha256: null });
  showDecision("approved", `审批通过：¥${data.amount}，${data.term_months} 期，年化 ${(data.apr * 100).toFixed(1)}%`);
  advanceTimer = setTimeout(() => go("contract"), APPROVED_PAUSE_MS);
}

function rejected(err) {
  if (!(err.code in REJECTIONS)) return false;
  showDecision("rejected", err.hint || REJECTIONS[err.code], err.code);
  return true;
}

function submit() {
  const amount = Number.parseInt($("amount-input").value, 10);
  const input = $("amount-input");
  if (!(amount >= 500 && amount <= 200000)) {
    input.setCustomValidity("借款金额 500–200000 元");
    input.reportValidity();
    return;
  }
  const body = { amount, term_months: Number($("term-select").value), device_id: deviceId() };
  const button = $("apply-submit");
  button.disabled = true;
  $("decision-status").hidden = true;
  perform(action("POST", "/v1/loans", body), {
    onOk: ({ data }) => approved(data),
    onFail: rejected,
    onSettled: () => { button.disabled = false; },
  });
}

export const applyPage = {
  init() {
    $("amount-input").addEventListener("input", () => $("amount-input").setCustomValidity(""));
    $("apply-submit").addEventListener("click", submit);
  },
  enter() {
    $("decision-status").hidden = true;
  },
  leave() {
    clearTimeout(advanceTimer);
  },
};
