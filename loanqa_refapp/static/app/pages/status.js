// Disbursement and its outcome. Payout is asynchronous, so the page polls the loan until it reaches
// a final status; `refresh-status` asks once more on demand.

import { action } from "../api.js";
import { journey } from "../store.js";
import { $, perform } from "../ui.js";

const POLL_MS = 1000;
const FINAL = new Set(["disbursed", "payout_failed", "rejected"]);
const LABELS = {
  approved: "已批准，待签约",
  signed: "已签约，可申请放款",
  disbursing: "放款中，请稍候…",
  disbursed: "已放款，请查收",
  payout_failed: "放款失败",
  rejected: "申请未通过",
};
let pollTimer = null;
let active = false;
let requested = false;

function show(loan) {
  const box = $("loan-status");
  box.dataset.status = loan.status;
  const failure = loan.disbursement?.failure_code;
  if (failure) box.dataset.code = failure;
  else delete box.dataset.code;
  box.textContent = `${LABELS[loan.status] || loan.status}（¥${loan.amount}）`;
  const waiting = requested || Boolean(loan.disbursement);
  $("disburse-submit").hidden = loan.status !== "signed" || waiting;
  if (active && !FINAL.has(loan.status) && (loan.status !== "signed" || waiting)) schedule();
}

function schedule() {
  clearTimeout(pollTimer);
  pollTimer = setTimeout(refresh, POLL_MS);
}

function loanPath(suffix = "") {
  return `/v1/loans/${encodeURIComponent(journey.get("loan_id"))}${suffix}`;
}

function refresh() {
  clearTimeout(pollTimer);
  perform(action("GET", loanPath()), { onOk: ({ data }) => show(data) });
}

function disburse() {
  const button = $("disburse-submit");
  button.disabled = true;
  perform(action("POST", loanPath("/disburse"), {}), {
    onOk: () => {
      requested = true;
      refresh();
    },
    onSettled: () => { button.disabled = false; },
  });
}

export const statusPage = {
  init() {
    $("disburse-submit").addEventListener("click", disburse);
    $("refresh-status").addEventListener("click", refresh);
  },
  enter() {
    active = true;
    requested = false;
    $("disburse-submit").hidden = true;
    $("loan-status").textContent = "查询中…";
    delete $("loan-status").dataset.status;
    refresh();
  },
  leave() {
    active = false;
    clearTimeout(pollTimer);
  },
};
