"""refapp's log: one JSON object per line, masked by the core policy, for its own records and uvicorn's.

JSON lines because a value can no longer forge a record (a newline in a name is escaped, not a new line)
and support can filter by field. The filter sits on the handler (not on loggers), so it sees records from
every library that propagates to it and no code path can forget to mask. Names are masked where they are
logged (`mask_name`, any script); the Chinese-name pattern here is the safety net for text nobody expected.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

from loanqa.masking import mask_text, show_pii

_CJK_NAME = re.compile(r"([\u4e00-\u9fff])([\u4e00-\u9fff]{1,3})")
FIELDS = "fields"  # `extra={"fields": {...}}`: structured fields of a record, merged into its JSON object


def mask(text: str) -> str:
    text = mask_text(text)
    if show_pii():
        return text
    return _CJK_NAME.sub(lambda m: m[1] + "*" * len(m[2]), text)


class PiiFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            # An exception's text (a failed SQL row, a validation error) can quote PII; the formatter
            # prints exc_text as given, so mask it here once.
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


class JsonLines(logging.Formatter):
    """`{"ts", "level", "logger", "msg", ...fields, "exc"?}` on one line; the whole line masked once more."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname, "logger": record.name, "msg": record.getMessage(),
        }
        fields = getattr(record, FIELDS, None)
        if isinstance(fields, dict):
            out.update(fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc"] = record.exc_text
        return mask(json.dumps(out, ensure_ascii=False, default=str))


def configure_logging(level: int = logging.INFO) -> None:
    """One stdout handler with the PII filter and JSON lines, for the app's own logs and uvicorn's."""
    handler = logging.StreamHandler()
    handler.addFilter(PiiFilter())
    handler.setFormatter(JsonLines())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
