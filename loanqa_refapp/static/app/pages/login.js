// Phone + OTP. In sandbox mode the service returns the code and the page shows it, so automation
// (and a tester without a SIM) can log in.

import { action, deviceId, token } from "../api.js";
import { go } from "../router.js";
import { journey } from "../store.js";
import { $, perform } from "../ui.js";

const PHONE = /^1[3-9]\d{9}$/;

function phone() {
  return $("phone-input").value.trim();
}

function sendOtp() {
  if (!PHONE.test(phone())) {
    $("phone-input").setCustomValidity("请输入 11 位手机号");
    $("phone-input").reportValidity();
    return;
  }
  const button = $("otp-send");
  button.disabled = true;
  perform(action("POST", "/v1/auth/otp", { phone: phone() }), {
    onOk: ({ data }) => showSandboxCode(data.sandbox_code),
    onSettled: () => { button.disabled = false; },
  });
}

function showSandboxCode(code) {
  const box = $("otp-sandbox-code");
  box.textContent = code || "";
  box.hidden = !code;
  box.parentElement.hidden = !code;
  $("otp-input").focus();
}

function login() {
  const body = { phone: phone(), code: $("otp-input").value.trim(), device_id: deviceId() };
  const button = $("login-submit");
  button.disabled = true;
  perform(action("POST", "/v1/auth/login", body), {
    onOk: ({ data }) => {
      token.set(data.access_token);
      journey.clear();
      journey.set({ borrower_id: data.borrower_id });
      go("identity");
    },
    onSettled: () => { button.disabled = false; },
  });
}

export const loginPage = {
  init() {
    $("phone-input").addEventListener("input", () => $("phone-input").setCustomValidity(""));
    $("otp-send").addEventListener("click", sendOtp);
    $("login-submit").addEventListener("click", login);
  },
};
