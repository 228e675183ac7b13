"""The H5 borrower app driven like a phone: real refapp, real Appium 3, real Chromium with a fake camera.

What a borrower would notice: the whole journey pays out; a dark room gets the 光线不足 hint and the
retry films again; the contract cannot be agreed to before it was scrolled to the end.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from appium.webdriver import Remote
from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from loanqa.synthetic import Borrower, make_borrower, unit_hash
from loanqa_devicetests.camera.scenarios import Scenario, write_y4m
from loanqa_netprofiles.control import NetworkController, load_profile
from loanqa_netprofiles.toxiproxy_client import ToxicInfo
from tests.appium_session import Phone, chromium_session
from tests.integration.refapp_helpers import scenario_frames

pytestmark = [pytest.mark.appium, pytest.mark.xdist_group("h5-app")]

PHONE = Phone(width=360, height=640, pixel_ratio=3.0)
T = TypeVar("T")


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 15.0) -> T:
    """Polls a real condition until it holds; the failure names what never happened."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.05)


class App:
    """The H5 app in one phone session, addressed by the CONTRACT.md test ids."""

    def __init__(self, driver: Remote, base_url: str) -> None:
        self.driver, self.base_url = driver, base_url

    def open(self, route: str, token: str | None = None, query: str = "") -> None:
        self.driver.get(f"{self.base_url}/app/{query}")
        if token is not None:
            self.driver.execute_script("sessionStorage.setItem('loanqa.token', arguments[0])", token)
        self.driver.get(f"{self.base_url}/app/{query}#/{route}")
        self.page(route)

    def el(self, test_id: str) -> WebElement:
        found: WebElement = self.driver.find_element(By.CSS_SELECTOR, f'[data-testid="{test_id}"]')
        return found

    def visible(self, test_id: str, timeout: float = 15.0) -> WebElement:
        def probe() -> WebElement | None:
            found = self.driver.find_elements(By.CSS_SELECTOR, f'[data-testid="{test_id}"]')
            return found[0] if found and found[0].is_displayed() else None
        return wait_for(f"{test_id} to be visible", probe, timeout)

    def page(self, name: str, timeout: float = 15.0) -> None:
        self.visible(f"page-{name}", timeout)

    def attr_becomes(self, test_id: str, attr: str, value: str, timeout: float = 15.0) -> WebElement:
        def probe() -> WebElement | None:
            el = self.visible(test_id, timeout)
            return el if el.get_attribute(attr) == value else None
        try:
            return wait_for(f"{test_id}[{attr}={value}]", probe, timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; page shows: {self.diagnosis()}") from None

    def tap(self, test_id: str) -> None:
        self.visible(test_id).click()

    def type(self, test_id: str, text: str) -> None:
        field = self.visible(test_id)
        field.clear()
        field.send_keys(text)

    def diagnosis(self) -> str:
        return str(self.driver.execute_script(
            "const b = document.querySelector('[data-testid=error-banner]');"
            "const d = document.querySelector('[data-testid=decision-status]');"
            "return `${location.hash} banner=${b.hidden ? '-' : b.dataset.code + ' ' + b.textContent.trim()}`"
            " + ` decision=${d.dataset.code || d.dataset.status || '-'}`;"))

    def requests_to(self, path: str) -> int:
        count: int = self.driver.execute_script(
            "return performance.getEntriesByType('resource').filter(e => e.name.endsWith(arguments[0])).length",
            path)
        return count


@pytest.fixture(scope="module")
def camera_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("camera")


def camera_file(camera_dir: Path, scenario: Scenario) -> Path:
    path = camera_dir / f"{scenario.value}.y4m"
    return path if path.exists() else write_y4m(scenario, path)


def approvable_borrower(seed: int) -> Borrower:
    """A borrower the default decision rules approve: high bureau score, no open loans elsewhere."""
    rng = random.Random(seed)
    while True:
        b = make_borrower(rng)
        if unit_hash(b.id_number, "bureau") > 0.8 and unit_hash(b.id_number, "multi") < 0.2:
            return b


@pytest.fixture
def borrower(request: pytest.FixtureRequest) -> Borrower:
    return approvable_borrower(hash((request.node.name, time.time_ns())))


@pytest.fixture
def phone_app(appium_url: str, refapp_url: str,
              camera_dir: Path) -> Iterator[Callable[[Scenario], App]]:
    """Opens phone sessions with the camera scenario the test asks for; all end with the test."""
    with ExitStack() as sessions:
        def start(scenario: Scenario) -> App:
            cam = camera_file(camera_dir, scenario)
            return App(sessions.enter_context(chromium_session(appium_url, PHONE, cam)), refapp_url)

        yield start


class Api:
    """The journey's first steps over HTTP, for tests that start in the middle of the app."""

    def __init__(self, base_url: str, borrower: Borrower) -> None:
        self.http = httpx.Client(base_url=base_url, timeout=20)
        self.b = borrower

    def post(self, path: str, body: dict[str, Any], key: str) -> dict[str, Any]:
        resp = self.http.post(path, json=body, headers={"Idempotency-Key": key})
        assert resp.status_code < 300, f"{path}: {resp.status_code} {resp.text}"
        data: dict[str, Any] = resp.json()
        return data

    def login(self) -> str:
        """OTP, login and real-name check; returns the bearer token the app should hold."""
        code = self.post("/v1/auth/otp", {"phone": self.b.phone}, "otp-1")["sandbox_code"]
        body = {"phone": self.b.phone, "code": code, "device_id": self.b.device_id}
        token: str = self.post("/v1/auth/login", body, "login-1")["access_token"]
        self.http.headers["Authorization"] = f"Bearer {token}"
        self.post("/v1/kyc/identity", {"name": self.b.name, "id_number": self.b.id_number}, "kyc-1")
        return token

    def pass_liveness(self) -> None:
        self.post("/v1/kyc/liveness", {"frames": scenario_frames(Scenario.GOOD)}, "face-1")

    def approved_loan(self) -> str:
        self.pass_liveness()
        loan = self.post("/v1/loans", {"amount": 3000, "term_months": 6, "device_id": self.b.device_id}, "loan-1")
        assert loan["status"] == "approved", loan
        loan_id: str = loan["loan_id"]
        return loan_id


# Shows each page in turn (as the router would) and reports what a thumb or an eye would trip on.
LAYOUT_PROBE = """
const problems = [];
document.querySelectorAll('[hidden]:not(section)').forEach(e => { e.hidden = false; });
for (const page of document.querySelectorAll('[data-page]')) {
  document.querySelectorAll('[data-page]').forEach(s => { s.hidden = s !== page; });
  const name = page.dataset.page;
  if (document.documentElement.scrollWidth > innerWidth) problems.push(`${name}: overflows horizontally`);
  const shown = [...document.querySelectorAll('button, input, select')].filter(e => e.getClientRects().length);
  for (const el of shown) {
    const r = el.getBoundingClientRect(), id = el.dataset.testid;
    if (r.height < 44 || r.width < 44) problems.push(`${name}/${id}: tap target ${r.width}x${r.height}`);
    if (r.right > innerWidth || r.left < 0) problems.push(`${name}/${id}: off screen`);
    if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth) problems.push(`${name}/${id}: clipped text`);
  }
}
return problems;
"""


@pytest.mark.parametrize("width", [320, 430])
def test_every_page_fits_the_phone_width_with_thumb_sized_targets(appium_url: str, refapp_url: str,
                                                                    width: int) -> None:
    phone = Phone(width=width, height=760, pixel_ratio=2.0)
    with chromium_session(appium_url, phone) as driver:
        app = App(driver, refapp_url)
        app.open("login")
        viewport = driver.find_element(By.CSS_SELECTOR, 'meta[name="viewport"]').get_attribute("content")
        assert "width=device-width" in (viewport or "")
        assert driver.execute_script("return innerWidth") == width
        assert driver.execute_script(LAYOUT_PROBE) == []


def draw_signature(app: App) -> None:
    """A W3C touch gesture across the canvas: what a finger does, not a script drawing pixels."""
    canvas = app.visible("signature-canvas")
    finger = PointerInput(interaction.POINTER_TOUCH, "finger")  # type: ignore[no-untyped-call]
    actions = ActionBuilder(app.driver, mouse=finger, duration=20)
    stroke = actions.pointer_action
    stroke.move_to(canvas, -120, 10).pointer_down()  # type: ignore[no-untyped-call]
    for x, y in ((-80, -40), (-40, 30), (0, -35), (40, 25), (80, -30), (120, 0)):
        stroke.move_to(canvas, x, y)  # type: ignore[no-untyped-call]
    stroke.pointer_up()  # type: ignore[no-untyped-call]
    actions.perform()


def double_tap(app: App, test_id: str) -> None:
    """Two taps 50 ms apart, the impatient thumb that must not sign or pay twice."""
    finger = PointerInput(interaction.POINTER_TOUCH, "finger")  # type: ignore[no-untyped-call]
    actions = ActionBuilder(app.driver, mouse=finger, duration=0)
    tap = actions.pointer_action.move_to(app.visible(test_id))  # type: ignore[no-untyped-call]
    tap.pointer_down().pointer_up().pause(0.05).pointer_down().pointer_up()
    actions.perform()


def swipe_up(app: App, el: WebElement) -> None:
    """One finger flick upwards inside the element: the page scrolls as it would under a thumb."""
    finger = PointerInput(interaction.POINTER_TOUCH, "finger")  # type: ignore[no-untyped-call]
    actions = ActionBuilder(app.driver, mouse=finger, duration=100)
    half = max(20, el.size["height"] // 2 - 20)
    stroke = actions.pointer_action
    stroke.move_to(el, 0, half).pointer_down().move_to(el, 0, -half).pointer_up()  # type: ignore[no-untyped-call]
    actions.perform()


def at_end(app: App, el: WebElement) -> bool:
    return bool(app.driver.execute_script(
        "const e = arguments[0]; return e.scrollTop + e.clientHeight >= e.scrollHeight - 4", el))


def read_contract_to_end(app: App, max_swipes: int = 60) -> int:
    """Swipes through the contract until agreeing is possible; returns how many swipes it took."""
    box, agree = app.visible("contract-text"), app.el("contract-agree")
    for swipes in range(1, max_swipes + 1):
        swipe_up(app, box)
        if at_end(app, box):
            wait_for("contract-agree to be enabled at the end", agree.is_enabled, timeout=5)
            return swipes
        assert not agree.is_enabled(), "contract-agree was enabled before the end of the contract"
    raise AssertionError(f"contract still not at its end after {max_swipes} swipes")


def login_through_ui(app: App, b: Borrower) -> None:
    app.type("phone-input", b.phone)
    app.tap("otp-send")
    code = wait_for("sandbox OTP", lambda: app.visible("otp-sandbox-code").text.strip())
    app.type("otp-input", code)
    app.tap("login-submit")
    app.page("identity")


def test_whole_journey_pays_out_on_a_360px_phone(phone_app: Callable[[Scenario], App],
                                                 borrower: Borrower) -> None:
    app = phone_app(Scenario.GOOD)
    app.open("login")
    login_through_ui(app, borrower)
    app.type("name-input", borrower.name)
    app.type("id-input", borrower.id_number)
    app.tap("identity-submit")
    app.page("face")
    app.tap("face-start")
    app.visible("face-passed", timeout=20)
    app.page("apply")
    app.type("amount-input", "8000")
    app.tap("apply-submit")
    app.attr_becomes("decision-status", "data-status", "approved")
    app.page("contract")
    wait_for("contract text", lambda: len(app.visible("contract-text").text) > 100)
    assert not app.el("contract-agree").is_enabled()
    read_contract_to_end(app)
    app.tap("contract-agree")
    app.tap("contract-next")
    app.page("sign")
    canvas = app.visible("signature-canvas")
    assert int(canvas.get_attribute("width") or 0) == round(canvas.size["width"] * PHONE.pixel_ratio)
    draw_signature(app)
    double_tap(app, "sign-submit")
    app.page("status")
    assert app.requests_to("/sign") == 1
    app.tap("disburse-submit")
    status = app.attr_becomes("loan-status", "data-status", "disbursed", timeout=20)
    assert "已放款" in status.text
    assert app.driver.execute_script("return document.documentElement.scrollWidth") <= PHONE.width


def test_dark_room_shows_light_hint_and_retry_films_again(phone_app: Callable[[Scenario], App],
                                                          refapp_url: str, borrower: Borrower) -> None:
    token = Api(refapp_url, borrower).login()
    app = phone_app(Scenario.DARK)
    app.open("face", token)
    app.tap("face-start")
    hint = app.attr_becomes("face-hint", "data-code", "FACE_TOO_DARK", timeout=20)
    assert "光线" in hint.text
    assert app.requests_to("/v1/kyc/liveness") == 1
    app.tap("face-retry")
    wait_for("a second liveness upload", lambda: app.requests_to("/v1/kyc/liveness") == 2, timeout=20)
    app.attr_becomes("face-hint", "data-code", "FACE_TOO_DARK")
    assert app.visible("face-retry").is_enabled()
    assert not app.el("face-passed").is_displayed()


def test_contract_cannot_be_agreed_before_scrolling_to_the_end(phone_app: Callable[[Scenario], App],
                                                               refapp_url: str, borrower: Borrower) -> None:
    api = Api(refapp_url, borrower)
    token = api.login()
    loan_id = api.approved_loan()
    app = phone_app(Scenario.GOOD)
    app.driver.get(f"{refapp_url}/app/")
    app.driver.execute_script(
        "sessionStorage.setItem('loanqa.journey', JSON.stringify({loan_id: arguments[0]}))", loan_id)
    app.open("contract", token)
    box = app.visible("contract-text")
    wait_for("contract text", lambda: len(box.text) > 200)
    agree = app.el("contract-agree")
    assert box.size["height"] < int(app.driver.execute_script("return arguments[0].scrollHeight", box))
    assert not agree.is_enabled()
    app.driver.execute_script("arguments[0].click()", agree)
    assert not agree.is_selected()
    assert not app.el("contract-next").is_enabled()
    assert read_contract_to_end(app) >= 2
    agree.click()
    assert agree.is_selected()
    assert app.el("contract-next").is_enabled()


@pytest.mark.toxiproxy
def test_retry_after_a_lost_answer_reuses_the_key_and_is_not_a_duplicate(
        phone_app: Callable[[Scenario], App], refapp_url: str, toxiproxy_url: str, state_dir: Path,
        borrower: Borrower) -> None:
    """The application reaches the server but its answer is held past the app's 3 s deadline.

    Retrying with a fresh key would be a second application (DUPLICATE_APPLICATION, an anti-fraud
    false positive caused by the network); the app must resend the same key and get its approval.
    """
    api = Api(refapp_url, borrower)
    token = api.login()
    api.pass_liveness()
    with NetworkController(toxiproxy_url, state_dir=state_dir) as net:
        link = net.apply(load_profile("clean"), refapp_url.split("://", 1)[1])
        app = phone_app(Scenario.GOOD)
        app.base_url = f"http://{link.listen}"
        app.open("apply", token, query="?timeout_ms=3000")
        net.client.add_toxic(link.proxy_name, ToxicInfo("latency", {"latency": 5000}, "downstream", 1.0, "held"))
        app.tap("apply-submit")
        banner = app.attr_becomes("error-banner", "data-code", "NETWORK", timeout=10)
        assert banner.get_attribute("data-reason") == "timeout"
        net.client.remove_toxic(link.proxy_name, "held")
        app.tap("retry-button")
        app.attr_becomes("decision-status", "data-status", "approved")
        app.page("contract")
    loans = api.http.get("/v1/loans").json()["loans"]
    assert [loan["status"] for loan in loans] == ["approved"]


def test_a_dead_session_lands_on_login_with_the_reason_shown(appium_url: str, refapp_url: str) -> None:
    with chromium_session(appium_url, PHONE) as driver:
        app = App(driver, refapp_url)
        driver.get(f"{refapp_url}/app/")
        driver.execute_script("sessionStorage.setItem('loanqa.journey', JSON.stringify({loan_id: 'L-gone'}))")
        driver.get(f"{refapp_url}/app/")
        driver.execute_script("sessionStorage.setItem('loanqa.token', 'not-a-token'); location.hash = '#/status'")
        app.page("login")
        banner = app.visible("error-banner")
        assert banner.get_attribute("data-code") in {"UNAUTHORIZED", "TOKEN_EXPIRED"}
        assert not app.el("retry-button").is_displayed()
        assert driver.execute_script("return sessionStorage.getItem('loanqa.token')") is None
