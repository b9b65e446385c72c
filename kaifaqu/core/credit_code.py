"""The unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters, the last a check character."""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """None if `code` is a valid credit code, else the reason in Chinese."""
    code = (code or "").strip().upper()
    if len(code) != 18:
        return "统一社会信用代码应为18位"
    if any(c not in ALPHABET for c in code):
        return "统一社会信用代码含有非法字符（不使用I、O、S、V、Z）"
    if check_character(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确"
    return None
