// Real-name check: the 18-digit resident ID and the name the registry holds for it.

import { action } from "../api.js";
import { go } from "../router.js";
import { $, perform, showError } from "../ui.js";

const ID_MESSAGES = {
  ID_FORMAT_INVALID: "身份证号格式不正确",
  ID_CHECKSUM_INVALID: "身份证号校验位不正确，请核对",
  ID_NAME_MISMATCH: "姓名与身份证号不一致",
};

function submit() {
  const body = { name: $("name-input").value.trim(), id_number: $("id-input").value.trim().toUpperCase() };
  const button = $("identity-submit");
  button.disabled = true;
  perform(action("POST", "/v1/kyc/identity", body), {
    onOk: () => go("face"),
    onFail: (err) => {
      err.hint = err.hint || ID_MESSAGES[err.code] || "";
      showError(err);
      return true;
    },
    onSettled: () => { button.disabled = false; },
  });
}

export const identityPage = {
  init() {
    $("identity-submit").addEventListener("click", submit);
  },
};
