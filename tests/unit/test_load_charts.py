"""Charts tell the network profiles apart and survive an outlier."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from matplotlib.axes import Axes

from loanqa_loadtests.output import charts
from loanqa_loadtests.output.tally import Slot, Tally

CN_2026 = ["3g", "4g", "4g-weak", "5g", "clean", "edge", "elevator", "festival", "flaky-carrier", "handover",
           "subway", "very-bad"]


def test_every_profile_of_a_twelve_profile_mix_has_its_own_colour() -> None:
    styles = charts._styles(CN_2026)
    assert len({str(s["color"]) for s in styles.values()}) == 12
    assert styles["3g"]["color"] != styles["very-bad"]["color"]


def test_the_p95_chart_is_log_scaled_so_one_stall_does_not_flatten_the_rest(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    t = Tally()
    for sec in range(20):
        t.timeline[1000 + sec] = {"4g": Slot(1, Counter(), Counter({120: 1})),
                                  "subway": Slot(1, Counter(), Counter({30000 if sec == 7 else 150: 1}))}
    seen: list[str] = []
    original = Axes.set_yscale

    def spy(self: Axes, value: str, **kw: object) -> None:
        seen.append(value)
        original(self, value, **kw)

    monkeypatch.setattr(Axes, "set_yscale", spy)
    path = charts.p95_chart(t, tmp_path / "p95.png")
    assert seen == ["log"] and path.read_bytes()[:4] == b"\x89PNG"
