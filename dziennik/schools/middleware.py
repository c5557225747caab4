"""The request's viewer: who is asking, computed once per request (``request.viewer``)."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from dziennik.core.cache import read_ahead

from .viewer import get_viewer, viewer_reads


class ViewerMiddleware:
    """Set ``request.viewer``: the ``Viewer`` of the logged-in user (``ANONYMOUS``
    otherwise). Views pass it to selectors and permission checks; it is built on first
    use, so a page that never asks (``/healthz``) pays nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.viewer = SimpleLazyObject(lambda: get_viewer(request.user))
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        """A view that declares what it reads from the cache first
        (``core.cache.reads_ahead``) gets it read with the viewer, in one round trip."""
        reads = getattr(view_func, "reads_ahead", None)
        if reads is None or not request.user.is_authenticated:
            return None
        read_ahead(*viewer_reads(request.user), *reads(request, **view_kwargs))
        return None
