// Liveness: film the borrower, send 8 frames, and show the service's hint (光线不足, 请眨眨眼 …)
// in words a borrower can act on, with a retry that films again.

import { action } from "../api.js";
import { captureFrames, startCamera, stopCamera } from "../camera.js";
import { go } from "../router.js";
import { $, perform } from "../ui.js";

const UPLOAD_TIMEOUT_MS = 30000;
const PASSED_PAUSE_MS = 1000;
let advanceTimer = null;
let cameraReady = null;

function setHint(code, text) {
  const hint = $("face-hint");
  hint.textContent = text;
  if (code) hint.dataset.code = code;
  else delete hint.dataset.code;
  hint.hidden = !text;
}

function setBusy(busy) {
  $("face-start").disabled = busy;
  $("face-retry").disabled = busy;
}

async function openCamera() {
  try {
    await startCamera($("face-video"));
    return true;
  } catch (err) {
    setHint("CAMERA_UNAVAILABLE", `无法打开摄像头，请在设置中允许使用摄像头（${err.name || err.message}）`);
    $("face-retry").hidden = false;
    return false;
  }
}

function passed() {
  setHint(null, "");
  $("face-passed").hidden = false;
  stopCamera($("face-video"));
  advanceTimer = setTimeout(() => go("apply"), PASSED_PAUSE_MS);
}

function rejected(err) {
  if (!err.code.startsWith("FACE_")) return false;
  setHint(err.code, err.hint || "人脸识别未通过，请重试");
  $("face-retry").hidden = false;
  $("face-start").hidden = true;
  return true;
}

async function capture() {
  setBusy(true);
  if (!(await cameraReady)) {
    setBusy(false);
    return;
  }
  setHint(null, "请正对手机，保持不动并眨眨眼");
  const frames = await captureFrames($("face-video"));
  perform(action("POST", "/v1/kyc/liveness", { frames }, { timeoutMs: UPLOAD_TIMEOUT_MS }), {
    onOk: ({ data }) => (data.passed ? passed() : rejected({ code: "FACE_NOT_PASSED", hint: "" })),
    onFail: rejected,
    onSettled: () => setBusy(false),
  });
}

function retry() {
  setHint(null, "");
  $("face-retry").hidden = true;
  $("face-start").hidden = false;
  if (!$("face-video").srcObject) cameraReady = openCamera();
  capture();
}

export const facePage = {
  init() {
    $("face-start").addEventListener("click", capture);
    $("face-retry").addEventListener("click", retry);
  },
  enter() {
    setHint(null, "");
    $("face-passed").hidden = true;
    $("face-retry").hidden = true;
    $("face-start").hidden = false;
    setBusy(false);
    cameraReady = openCamera();
  },
  leave() {
    clearTimeout(advanceTimer);
    stopCamera($("face-video"));
  },
};
