// E-signature. The submit button is disabled from the first tap until the answer arrives, so a
// double tap signs once; a retry after a stall reuses the same Idempotency-Key.

import { action, ApiError } from "../api.js";
import { go } from "../router.js";
import { SignaturePad } from "../signature.js";
import { journey } from "../store.js";
import { $, perform, showError } from "../ui.js";

const SIGN_TIMEOUT_MS = 20000;
let pad = null;

function submit() {
  const button = $("sign-submit");
  if (button.disabled) return;
  if (!pad.inked) {
    showError(new ApiError("ESIGN_EMPTY_SIGNATURE", { hint: "请在框内手写签名" }));
    return;
  }
  button.disabled = true;
  let signed = false;
  const loanId = journey.get("loan_id");
  const body = { contract_sha256: journey.get("contract_sha256"), signature_png: pad.png(), agreed: true };
  perform(action("POST", `/v1/loans/${encodeURIComponent(loanId)}/sign`, body, { timeoutMs: SIGN_TIMEOUT_MS }), {
    onOk: ({ data }) => {
      signed = true;
      journey.set({ signature_id: data.signature_id });
      go("status");
    },
    onSettled: () => { button.disabled = signed; },
  });
}

export const signPage = {
  init() {
    pad = new SignaturePad($("signature-canvas"));
    $("signature-clear").addEventListener("click", () => pad.clear());
    $("sign-submit").addEventListener("click", submit);
    window.addEventListener("resize", () => {
      if (!$("signature-canvas").closest("[hidden]") && !pad.inked) pad.fit();
    });
  },
  enter() {
    if (!journey.get("contract_sha256")) {
      go("contract");
      return;
    }
    $("sign-submit").disabled = false;
    pad.fit();
  },
};
