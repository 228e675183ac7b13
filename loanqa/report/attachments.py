"""Smaller screenshots for reports that travel (single-file HTML in mail, chat and CI artifacts).

A single-file report embeds every attachment as base64: a device matrix's full-size PNG screenshots
made it 39 MB. The report gets a copy of the results whose pictures are JPEGs with the longer side at
most 600 px (a phone screenshot 270 px wide, a load chart still readable), and a passed test keeps only
its last picture (its end state); failed and broken tests keep every one. The allure-results themselves
keep the originals for anyone who needs the pixels.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

MAX_SIDE_PX = 600
JPEG_QUALITY = 45
PICTURES = ("*-attachment.png", "*-attachment.jpg", "*-attachment.jpeg")


def compact_copy(src: Path, dst: Path, *, max_side: int = MAX_SIDE_PX, quality: int = JPEG_QUALITY) -> Path:
    """Copy an allure-results folder to `dst` with smaller pictures (see the module's docstring)."""
    shutil.copytree(src, dst)
    pictures = {p.name: p for pattern in PICTURES for p in dst.glob(pattern)}
    docs = [*dst.glob("*-result.json"), *dst.glob("*-container.json")]
    dropped = set().union(*(_keep_last_picture(doc, pictures) for doc in dst.glob("*-result.json")))
    for name in dropped:
        pictures.pop(name).unlink(missing_ok=True)
    renamed: dict[str, str] = {}
    for picture in pictures.values():
        smaller = _shrink(picture, max_side, quality)
        if smaller is not None:
            renamed[picture.name] = smaller.name
    for doc in docs:
        _relink(doc, renamed)
    return dst


def _keep_last_picture(doc: Path, pictures: dict[str, Path]) -> set[str]:
    """A passed test's pictures but its last: dropped from the copy; returns the files no longer used."""
    data = _read(doc)
    if data is None or data.get("status") != "passed":
        return set()
    shown = [a for a in _attachments(data) if str(a.get("source")) in pictures]
    dropped = {id(a) for a in shown[:-1]}
    if not dropped:
        return set()
    names = {str(a["source"]) for a in shown[:-1]} - {str(shown[-1]["source"])}
    _drop(data, dropped)
    doc.write_text(json.dumps(data), encoding="utf-8")
    return names


def _drop(node: Any, ids: set[int]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("attachments"), list):
            node["attachments"] = [a for a in node["attachments"] if id(a) not in ids]
        for key in ("steps", "befores", "afters"):
            for child in node.get(key) or ():
                _drop(child, ids)


def _shrink(picture: Path, max_side: int, quality: int) -> Path | None:
    image = cv2.imdecode(np.fromfile(picture, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        return None  # not a picture after all: left as it is
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale < 1:
        image = cv2.resize(image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        return None
    target = picture.with_name(picture.name.rsplit("-attachment", 1)[0] + "-attachment.jpg")
    picture.unlink()
    target.write_bytes(encoded.tobytes())
    return target


def _read(doc: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(doc.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None  # the gate names corrupt results; the report shows what Allure can read
    return data if isinstance(data, dict) else None


def _relink(doc: Path, renamed: dict[str, str]) -> None:
    data = _read(doc)
    if data is None or not renamed:
        return
    changed = False
    for attachment in _attachments(data):
        new = renamed.get(str(attachment.get("source")))
        if new is not None:
            attachment["source"], attachment["type"] = new, "image/jpeg"
            changed = True
    if changed:
        doc.write_text(json.dumps(data), encoding="utf-8")


def _attachments(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        for item in node.get("attachments") or ():
            if isinstance(item, dict):
                yield item
        for key in ("steps", "befores", "afters"):
            for child in node.get(key) or ():
                yield from _attachments(child)
