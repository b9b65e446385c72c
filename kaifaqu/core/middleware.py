"""Request middleware: open a change-log context for each request."""

from .changelog import change_context


class ChangeContextMiddleware:
    """Every change made while serving a request is recorded with its user and one request id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        with change_context(user if user is not None and user.is_authenticated else None) as ctx:
            request.change_id = ctx.request_id
            return self.get_response(request)
