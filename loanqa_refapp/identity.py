"""Identity checks (自动化数据验证): format, GB 11643 check digit, name against the synthetic registry."""

from __future__ import annotations

import re

from loanqa.synthetic import is_valid_id, registry_name
from loanqa_refapp.apierror import ApiError

_ID_FORMAT = re.compile(r"^[0-9]{17}[0-9Xx]$")  # ASCII digits only: \d would let full-width digits through


def check_identity(name: str, id_number: str) -> None:
    """Raise the contract's identity error, most basic problem first; return when the pair is consistent."""
    if not _ID_FORMAT.match(id_number):
        raise ApiError(422, "ID_FORMAT_INVALID", "id_number must be 17 digits and a digit or X",
                       hint="身份证号码格式不正确")
    if not is_valid_id(id_number):
        raise ApiError(422, "ID_CHECKSUM_INVALID", "id_number check digit (GB 11643) does not match",
                       hint="身份证号码校验位错误，请核对")
    if name.strip() != registry_name(id_number):
        raise ApiError(422, "ID_NAME_MISMATCH", "name does not match the registry for this id_number",
                       hint="姓名与身份证号码不一致")
