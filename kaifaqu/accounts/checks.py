"""System checks of the accounts app: the audit log is kept at least six months (等保2.0 三级); tokens expire."""

from django.conf import settings
from django.core.checks import Error, register

MIN_AUDIT_RETENTION_DAYS = 183  # six months


@register()
def audit_retention_check(app_configs=None, **kwargs) -> list[Error]:
    """`AUDIT_RETENTION_DAYS` (env KAIFAQU_AUDIT_RETENTION_DAYS) at least 183; `API_TOKEN_DAYS` at least 1."""
    errors = []
    if settings.AUDIT_RETENTION_DAYS < MIN_AUDIT_RETENTION_DAYS:
        errors.append(Error(
            f"审计日志保留天数为{settings.AUDIT_RETENTION_DAYS}天，不得少于{MIN_AUDIT_RETENTION_DAYS}天（六个月）。",
            hint="调整环境变量 KAIFAQU_AUDIT_RETENTION_DAYS。", id="accounts.E001"))
    if settings.API_TOKEN_DAYS < 1:
        errors.append(Error("访问令牌有效期至少为1天。", hint="调整环境变量 KAIFAQU_API_TOKEN_DAYS。",
                            id="accounts.E002"))
    return errors
