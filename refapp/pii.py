"""Masks ID numbers, phone numbers and names in every log record that passes the refapp's handlers.

A filter on the handler (not on loggers) sees records from every library that propagates to it,
uvicorn's included, so no code path can forget to mask.
"""

from __future__ import annotations

import logging
import re

_ID = re.compile(r"(?<!\d)(\d{6})\d{8}(\d{3}[\dXx])(?!\d)")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_CJK_NAME = re.compile(r"([\u4e00-\u9fff])([\u4e00-\u9fff]{1,3})")


def mask(text: str) -> str:
    text = _ID.sub(lambda m: f"{m[1]}********{m[2]}", text)
    text = _PHONE.sub(lambda m: f"{m[1]}****{m[2]}", text)
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


def configure_logging(level: int = logging.INFO) -> None:
    """One stdout handler with the PII filter, for the app's own logs and uvicorn's."""
    handler = logging.StreamHandler()
    handler.addFilter(PiiFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
