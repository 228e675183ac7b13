// The loan contract. Agreeing is only possible once the borrower has scrolled to its end, which
// is what a regulator asks of an e-signed loan; the contract hash travels on to the signature.

import { action } from "../api.js";
import { go } from "../router.js";
import { journey } from "../store.js";
import { $, perform } from "../ui.js";

const END_SLACK_PX = 4;

function atEnd(box) {
  return box.scrollTop + box.clientHeight >= box.scrollHeight - END_SLACK_PX;
}

function updateAgree() {
  const agree = $("contract-agree");
  if (agree.disabled && journey.get("contract_sha256") && atEnd($("contract-text"))) agree.disabled = false;
  $("contract-next").disabled = !agree.checked || agree.disabled;
}

function reset() {
  $("contract-text").textContent = "合同加载中…";
  $("contract-agree").checked = false;
  $("contract-agree").disabled = true;
  $("contract-next").disabled = true;
}

function load() {
  const loanId = journey.get("loan_id");
  perform(action("GET", `/v1/loans/${encodeURIComponent(loanId)}/contract`), {
    onOk: ({ data }) => {
      journey.set({ contract_sha256: data.sha256 });
      const box = $("contract-text");
      box.textContent = data.text;
      box.scrollTop = 0;
      updateAgree();
    },
  });
}

export const contractPage = {
  init() {
    $("contract-text").addEventListener("scroll", updateAgree, { passive: true });
    $("contract-agree").addEventListener("change", updateAgree);
    $("contract-next").addEventListener("click", () => go("sign"));
  },
  enter() {
    journey.set({ contract_sha256: null });
    reset();
    load();
  },
};
