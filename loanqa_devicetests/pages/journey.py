"""The journey's pages as a borrower uses them: login, identity, face, apply, contract, sign, status."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.common.actions import interaction
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.actions.pointer_input import PointerInput

from loanqa_devicetests.pages.base import Screen

LIVENESS_WAIT_S = 45.0


class LoginPage(Screen):
    def login(self, phone: str) -> None:
        self.wait_page("login")
        self.type("phone-input", phone)
        self.tap("otp-send")
        code = self.wait_until(lambda: self.visible("otp-sandbox-code") and self.text("otp-sandbox-code"),
                               "sandbox OTP shown")
        self.type("otp-input", str(code))
        self.tap("login-submit")


class IdentityPage(Screen):
    def submit(self, name: str, id_number: str) -> None:
        self.wait_page("identity")
        self.type("name-input", name)
        self.type("id-input", id_number)
        self.tap("identity-submit")


class FacePage(Screen):
    def start(self) -> None:
        self.wait_page("face")
        self.tap("face-start")

    def outcome(self) -> str:
        """`passed` or the face code shown in the hint, once the liveness answer is on screen."""
        def seen() -> str | None:
            # The app moves on to `apply` a second after a pass; a slow poll may only see that.
            if self.visible("face-passed") or self.current_page() == "apply":
                return "passed"
            code = self.attr("face-hint", "data-code") if self.visible("face-hint") else None
            return code if code and self.visible("face-retry") else None
        return str(self.wait_until(seen, "liveness result (passed, or a hint with retry)", LIVENESS_WAIT_S))

    def hint_text(self) -> str:
        return self.text("face-hint")

    def retry(self) -> None:
        self.tap("face-retry")


class ApplyPage(Screen):
    def apply(self, amount: int, term_months: int) -> None:
        self.wait_page("apply")
        self.type("amount-input", str(amount))
        self.find("term-select").find_element("css selector", f'option[value="{term_months}"]').click()
        self.tap("apply-submit")


class ContractPage(Screen):
    def agree_enabled(self) -> bool:
        return bool(self.find("contract-agree").is_enabled())

    def wait_loaded(self) -> None:
        self.wait_page("contract")
        self.wait_until(lambda: len(self.text("contract-text")) > 200, "contract text loaded")

    def scroll_to_end(self) -> None:
        """Scrolls the contract box like a thumb would, in steps, until the end is reached."""
        box = self.find("contract-text")
        self.wait_until(lambda: self.driver.execute_script(
            "const b=arguments[0]; b.scrollTop += b.clientHeight * 0.9;"
            "return b.scrollTop + b.clientHeight >= b.scrollHeight - 4;", box), "contract scrolled to end")

    def agree_and_continue(self) -> None:
        self.wait_until(self.agree_enabled, "agree enabled after scrolling")
        self.find("contract-agree").click()
        self.tap("contract-next")


class SignPage(Screen):
    def draw_signature(self) -> None:
        """A signature stroke with W3C pointer actions (touch), relative to the canvas centre."""
        self.wait_page("sign")
        canvas = self.find("signature-canvas")
        w, h = canvas.size["width"], canvas.size["height"]
        builder = _finger(self.driver)
        ptr: Any = builder.pointer_action
        ptr.move_to(canvas, int(-w * 0.35), 0).pointer_down()
        for i in range(1, 13):
            ptr.move_to(canvas, int(-w * 0.35 + w * 0.7 * i / 12), int(h * 0.25 * (-1) ** i))
        ptr.pointer_up()
        builder.perform()

    def double_tap_submit(self) -> None:
        """Two taps 60 ms apart on submit, as an impatient thumb does."""
        button = self.find("sign-submit")
        builder = _finger(self.driver)
        ptr: Any = builder.pointer_action
        ptr.move_to(button).pointer_down().pointer_up().pause(0.06).pointer_down().pointer_up()
        builder.perform()


class StatusPage(Screen):
    def disburse(self) -> None:
        self.wait_page("status", 40)
        self.tap("disburse-submit")

    def status(self) -> str | None:
        return self.attr("loan-status", "data-status")


def _finger(driver: Any) -> ActionBuilder:
    """W3C pointer actions with a touch pointer: what a finger on a phone screen sends."""
    make: Any = PointerInput
    return ActionBuilder(driver, mouse=make(interaction.POINTER_TOUCH, "finger"), duration=40)
