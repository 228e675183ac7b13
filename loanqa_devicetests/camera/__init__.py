"""Camera feeds for liveness tests: deterministic frames and fake-camera video files from a real face photo."""

from loanqa_devicetests.camera.scenarios import Scenario, encode_jpeg, frames, write_y4m

__all__ = ["Scenario", "encode_jpeg", "frames", "write_y4m"]
