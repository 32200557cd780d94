from django import template

from claims.search import highlight

register = template.Library()


@register.filter
def highlighted(headline):
    """A search headline as HTML: escaped, matches in <mark>."""
    return highlight(headline)


@register.filter
def highlighted_markdown(headline):
    """A search headline of Markdown source as HTML: escaped, Markdown marks dropped, matches in <mark>."""
    return highlight(headline, markdown=True)
