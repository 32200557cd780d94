"""Markdown for editor-written context, rendered to sanitised HTML.

nh3 (the Ammonia sanitiser) runs on the rendered HTML with an allow-list: no script,
no event handler, no javascript: URL survives, whatever the editor pasted.
"""

import markdown
import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "em",
    "strong",
    "blockquote",
    "q",
    "cite",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "a",
    "h3",
    "h4",
    "h5",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def render_markdown(text: str) -> str:
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        # "*": no attribute on every tag; the sanitizer otherwise keeps title and lang anywhere,
        # which Markdown's attribute lists ("{: title=…}") would put on any paragraph.
        attributes={**ALLOWED_ATTRIBUTES, "*": set()},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
