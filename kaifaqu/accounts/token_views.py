"""The owner's API tokens (访问令牌): listed with their state, issued (the raw token shown once) and revoked."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .models import ApiToken
from .selectors import TOKENS_SHOWN, user_tokens
from .services import token_issue, token_revoke_own


def _page(request: HttpRequest, new_token: str = "") -> HttpResponse:
    context = {"tokens": user_tokens(user=request.user)[:TOKENS_SHOWN], "new_token": new_token,
               "token_days": settings.API_TOKEN_DAYS, "shown": TOKENS_SHOWN}
    response = render(request, "accounts/tokens.html", context)
    if new_token:
        response["Cache-Control"] = "no-store"  # the raw token is shown once and kept nowhere
    return response


@login_required
def token_list_view(request: HttpRequest) -> HttpResponse:
    """GET: the user's tokens. POST: issue a new one and show it this once."""
    if request.method == "POST":
        return _page(request, new_token=token_issue(user=request.user, request=request))
    return _page(request)


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Revoke one of the user's own tokens; another user's token is 404, as if it did not exist."""
    try:
        token = token_revoke_own(user=request.user, token_id=pk, request=request)
    except ApiToken.DoesNotExist:
        raise Http404("没有该令牌") from None
    messages.success(request, f"令牌 {token.prefix}… 已吊销，使用它的程序将无法再访问接口。")
    return redirect("accounts:tokens")
