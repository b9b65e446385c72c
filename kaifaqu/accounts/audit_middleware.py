"""Every file a user takes away is audited as a class, not view by view: a response that is a download
(`Content-Disposition: attachment`) from any page or API call (a session or a Bearer token) is recorded once, with
who, the address and query, the file's name and, for the platform's Excel files, the number of data rows.

The middleware also keeps the request being served, so an event written deeper down (a signal on a user's role)
carries the client's address.
"""

from __future__ import annotations

import contextvars
import re
from email.header import decode_header, make_header
from urllib.parse import unquote

from django.http import HttpRequest, HttpResponseBase

from kaifaqu.core.excel import rows_written

from .audit import AuditAction, audit

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("audit_request", default=None)
FILENAME_STAR = re.compile(r"filename\*\s*=\s*[\w-]+'[\w-]*'([^;]+)", re.IGNORECASE)
FILENAME = re.compile(r'filename\s*=\s*(?:"([^"]*)"|([^;]+))', re.IGNORECASE)
MAX_QUERY = 1000


def current_request() -> HttpRequest | None:
    """The request being served in this thread, if any (None in commands and the shell)."""
    return _request.get()


def attachment_filename(header: str) -> str | None:
    """The file name a `Content-Disposition` header gives, if it makes the response a download (an attachment).
    Django MIME-encodes a header that is not Latin-1, so that is undone first."""
    if header.startswith("=?"):
        header = str(make_header(decode_header(header)))
    if not header.strip().lower().startswith("attachment"):
        return None
    if match := FILENAME_STAR.search(header):
        return unquote(match.group(1).strip())
    if match := FILENAME.search(header):
        return (match.group(1) or match.group(2) or "").strip()
    return ""


def download_action(path: str, filename: str) -> str:
    """导出 for data taken out; 下载 for a blank import template."""
    is_template = "template" in path.lower() or "template" in filename.lower() or "模板" in filename
    return AuditAction.DOWNLOAD if is_template else AuditAction.EXPORT


class DownloadAuditMiddleware:
    """Audit each successful download once (after authentication: the API's Bearer user is known by then)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        token = _request.set(request)
        try:
            with rows_written() as tally:
                response = self.get_response(request)
        finally:
            _request.reset(token)
        if 200 <= response.status_code < 300 and response.has_header("Content-Disposition"):
            filename = attachment_filename(response["Content-Disposition"])
            if filename is not None:
                audit_download(request, filename=filename, rows=sum(tally) if tally else None)
        return response


def audit_download(request: HttpRequest, *, filename: str, rows: int | None) -> None:
    """Record one download by the request's user."""
    detail = {"filename": filename, "path": request.path, "query": request.META.get("QUERY_STRING", "")[:MAX_QUERY]}
    if rows is not None:
        detail["rows"] = rows
    audit(action=download_action(request.path, filename), request=request, target=filename, detail=detail)
