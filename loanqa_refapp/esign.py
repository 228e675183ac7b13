"""Contract text and the checks on a signature: the contract is fixed by the loan, the signature must
carry ink (a blank canvas exported as PNG is the most common H5 e-sign failure)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import sqlite3

import cv2
import numpy as np

MIN_INK_PIXELS = 30
_CLAUSES = (
    "借款人应按照本合同约定的期限和方式按时足额偿还借款本金及利息。",
    "贷款人通过借款人在本平台绑定的银行账户发放借款，发放成功以银行入账为准。",
    "借款人可以提前还款，提前还款不收取违约金，利息按实际借款天数计算。",
    "借款人逾期还款的，应就逾期部分按合同利率上浮百分之五十支付罚息。",
    "双方同意以电子签名方式签署本合同，电子签名与手写签名具有同等法律效力。",
    "贷款人依法保护借款人的个人信息，仅在为履行本合同所必需的范围内处理。",
)


def contract_text(loan: sqlite3.Row) -> str:
    head = (f"个人消费借款合同\n合同编号：C-{loan['id']}\n借款金额：人民币{loan['amount']}元\n"
            f"借款期限：{loan['term_months']}个月\n年化利率：{float(loan['apr']) * 100:.2f}%\n")
    body = "\n".join(f"第{i}条 {clause}" for i, clause in enumerate(_CLAUSES * 3, start=1))
    return head + body + "\n（以下无正文）"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ink_pixels(signature_png_b64: str) -> int:
    """Pixels that are drawn: opaque and dark enough to be a stroke (transparent or white is no ink)."""
    payload = signature_png_b64.split(",", 1)[1] if signature_png_b64.startswith("data:") else signature_png_b64
    try:
        raw = base64.b64decode(payload)
    except (binascii.Error, ValueError):
        return 0
    img = cv2.imdecode(np.frombuffer(raw, np.uint8), cv2.IMREAD_UNCHANGED)
    if img is None:
        return 0
    if img.ndim == 2:
        return int(np.count_nonzero(img < 160))
    gray = cv2.cvtColor(img[:, :, :3], cv2.COLOR_BGR2GRAY)
    drawn = gray < 160
    if img.shape[2] == 4:
        drawn &= img[:, :, 3] > 32
    return int(np.count_nonzero(drawn))
