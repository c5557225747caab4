from django.utils.functional import LazyObject, SimpleLazyObject, empty

from dziennik.accounts.children import active_child_id
from dziennik.core.extensions import collect_header_links, collect_nav_items, group_nav_items
from dziennik.schools.selectors import child_options


def viewer(request):
    """``viewer``, ``nav_items`` (and ``nav_entries``, grouped into menus),
    ``header_links`` and, for
    guardians, ``children`` and ``active_child``."""
    user = getattr(request, "user", None)
    v = getattr(request, "viewer", None)  # set by ViewerMiddleware on every request
    if user is None or v is None or not user.is_authenticated:
        return {}
    # The layout asks ``user`` and ``viewer`` a few dozen things: the objects themselves,
    # not their lazy wrappers (each question through a wrapper costs a failed item
    # lookup and two more calls).
    user, v = _unwrapped(user), _unwrapped(v)

    def children():

        return child_options(v)

    lazy_children = SimpleLazyObject(children)

    def active_child():
        # Picked from the same list as the switcher shows, so no second query.

        wanted = active_child_id(request)
        return next((child for child in lazy_children if child.pk == wanted), None)

    return {
        "user": user,
        "viewer": v,
        "nav_items": SimpleLazyObject(lambda: collect_nav_items(v)),
        "nav_entries": SimpleLazyObject(
            lambda: group_nav_items(collect_nav_items(v), request.path)
        ),
        "header_links": SimpleLazyObject(lambda: collect_header_links(v)),
        "children": lazy_children if v.is_parent else [],
        "active_child": SimpleLazyObject(active_child) if v.is_parent else None,
    }


def _unwrapped(obj):
    if isinstance(obj, LazyObject):
        if obj._wrapped is empty:
            obj._setup()
        return obj._wrapped
    return obj
