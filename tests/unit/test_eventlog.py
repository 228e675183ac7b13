from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from loanqa.errors import ResultsError
from loanqa.eventlog import (
    FILE_NAME,
    AttemptRecord,
    EventLogWriter,
    JourneyEnd,
    merge,
    phone_ref,
    read_events,
)
from loanqa.taxonomy import Cause


def attempt(journey: str, at: float, **kw: object) -> AttemptRecord:
    fields: dict[str, object] = {"run_id": "r1", "runner": "load", "journey_id": journey, "step": "apply",
                                 "attempt": 1, "started_at": at, "duration_ms": 12.5, "status": 201}
    fields.update(kw)
    return AttemptRecord.model_validate(fields)


def end(journey: str, at: float) -> JourneyEnd:
    return JourneyEnd(run_id="r1", runner="load", journey_id=journey, outcome="failed", cause=Cause.NETWORK,
                      step="apply", at=at)


def _write_part(folder: str, part: str, start: float) -> None:
    with EventLogWriter(Path(folder), part) as log:
        for i in range(50):
            log.write(attempt(f"{part}-{i}", start + i))


def test_each_record_is_on_disk_as_soon_as_it_is_written(tmp_path: Path) -> None:
    log = EventLogWriter(tmp_path, "p0")
    log.write(attempt("j1", 1.0, cause=Cause.NETWORK, status=None, detail="ReadTimeout"))
    assert [r.journey_id for r in read_events(tmp_path)] == ["j1"], "readable before close (flushed)"
    log.close()


def test_merge_joins_processes_in_time_order_and_removes_parts(tmp_path: Path) -> None:
    procs = [multiprocessing.Process(target=_write_part, args=(str(tmp_path), f"p{i}", i * 0.5)) for i in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
    path = merge(tmp_path)
    records = read_events(tmp_path)
    assert path == tmp_path / FILE_NAME
    assert len(records) == 100
    assert [r.started_at for r in records if isinstance(r, AttemptRecord)] == sorted(i * 0.5 + k for i in range(2)
                                                                                     for k in range(50))
    assert not (tmp_path / "events").exists()


def test_interrupted_run_keeps_whole_lines_and_drops_the_cut_one(tmp_path: Path) -> None:
    with EventLogWriter(tmp_path, "p0") as log:
        log.write(attempt("j1", 1.0))
        log.write(end("j1", 2.0))
    with (tmp_path / "events" / "p0.jsonl").open("a") as fh:
        fh.write('{"kind": "attempt", "run_id": "r1", "runn')
    kinds = [r.kind for r in read_events(tmp_path)]
    assert kinds == ["attempt", "journey_end"]


def test_a_corrupt_line_names_file_line_and_key(tmp_path: Path) -> None:
    (tmp_path / FILE_NAME).write_text(attempt("j1", 1.0).model_dump_json().replace('"status":201', '"status":"x"')
                                      + "\n")
    with pytest.raises(ResultsError, match=r"events.jsonl:1: attempt.status"):
        read_events(tmp_path)


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="phone"):
        attempt("j1", 1.0, phone="13800000000")


def test_no_log_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ResultsError, match="no event log"):
        read_events(tmp_path)


def test_phone_ref_is_stable_per_run_and_hides_the_number() -> None:
    ref = phone_ref("r1", "13812345678")
    assert ref == phone_ref("r1", "13812345678")
    assert ref != phone_ref("r2", "13812345678")
    assert "1381234" not in ref
