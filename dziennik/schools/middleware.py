"""The request's viewer: who is asking, computed once per request (``request.viewer``)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .viewer import get_viewer


class ViewerMiddleware:
    """Set ``request.viewer``: the ``Viewer`` of the logged-in user (``ANONYMOUS``
    otherwise). Views pass it to selectors and permission checks; it is built on first
    use, so a page that never asks (``/healthz``) pays nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.viewer = SimpleLazyObject(lambda: get_viewer(request.user))
        return self.get_response(request)
