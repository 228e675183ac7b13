// Boot: wire each page once, then let the hash route decide which one shows.

import { applyPage } from "./pages/apply.js";
import { contractPage } from "./pages/contract.js";
import { facePage } from "./pages/face.js";
import { identityPage } from "./pages/identity.js";
import { loginPage } from "./pages/login.js";
import { signPage } from "./pages/sign.js";
import { statusPage } from "./pages/status.js";
import { go, startRouter } from "./router.js";
import { initShared, setUnauthorizedHandler } from "./ui.js";

const PAGES = {
  login: loginPage,
  identity: identityPage,
  face: facePage,
  apply: applyPage,
  contract: contractPage,
  sign: signPage,
  status: statusPage,
};

initShared();
setUnauthorizedHandler(() => go("login"));
for (const page of Object.values(PAGES)) page.init();
startRouter(PAGES);
document.documentElement.dataset.ready = "true";
