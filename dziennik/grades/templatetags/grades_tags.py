from django import template

register = template.Library()


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` in templates (missing → None)."""
    if not mapping:
        return None
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def split(value: str):
    return value.split()


@register.filter
def plain(value) -> str:
    """A number for a data attribute: never localized, empty for None."""
    return "" if value is None else str(value)
