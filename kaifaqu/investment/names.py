"""Company and project names compared as people mean them (查重): "山西 大恒新能源有限责任公司" and
"山西大恒新能源（有限公司）" are the same company as "山西大恒新能源有限公司"."""

from __future__ import annotations

import unicodedata

# Longest first: "股份有限公司" must not be cut as "…股份" + "有限公司".
COMPANY_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "公司")


def _bare(text: str) -> str:
    """Full width → half width (NFKC), lower case, without spaces, punctuation, symbols or control characters."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def company_key(name: str) -> str:
    """The key two spellings of one company share: bare text without the company-form suffix."""
    bare = _bare(name)
    form = next((f for f in COMPANY_FORMS if bare.endswith(f)), "")
    return bare[: -len(form)] if form and len(bare) > len(form) else bare


def intent_key(name: str) -> str:
    """The key of a project intent (投资意向): bare text without a trailing "项目"."""
    bare = _bare(name)
    return bare.removesuffix("项目") or bare
