// Hash routes (#/login … #/status): one page container visible at a time, each page told when it
// is entered and left so it can start or stop its camera and polling.

import { token } from "./api.js";
import { journey } from "./store.js";
import { clearForNewPage } from "./ui.js";

const ORDER = ["login", "identity", "face", "apply", "contract", "sign", "status"];
const NEEDS_LOAN = new Set(["contract", "sign", "status"]);

let pages = {};
let current = null;

export function go(name) {
  if (location.hash === `#/${name}`) render();
  else location.hash = `#/${name}`;
}

function allowed(name) {
  if (!ORDER.includes(name)) return token.get() ? "identity" : "login";
  if (name !== "login" && !token.get()) return "login";
  if (NEEDS_LOAN.has(name) && !journey.get("loan_id")) return "apply";
  return name;
}

function render() {
  const wanted = location.hash.replace(/^#\/?/, "");
  const name = allowed(wanted);
  if (name !== wanted) {
    location.replace(`#/${name}`);
    return;
  }
  if (current && current !== name) pages[current].leave?.();
  clearForNewPage();
  for (const section of document.querySelectorAll("[data-page]")) section.hidden = section.dataset.page !== name;
  document.getElementById("step").textContent = `${ORDER.indexOf(name) + 1}/${ORDER.length}`;
  current = name;
  window.scrollTo(0, 0);
  pages[name].enter?.();
}

export function startRouter(pageModules) {
  pages = pageModules;
  window.addEventListener("hashchange", render);
  render();
}
