"""Walk every URL pattern the project defines and turn it into concrete request paths.

Used by the draft-leak probe and the XSS corpus: routes added later are probed
automatically. Parameters are filled from a pool of candidate values (slugs, primary keys,
app labels); a pattern no candidate fits is reported, never silently skipped.
"""

import itertools
import re
from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern

ROUTE_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
MAX_PATHS_PER_PATTERN = 12


@dataclass
class Route:
    """One URL pattern: its readable form, the view behind it and the concrete paths probed."""

    pattern: str
    name: str
    model_admin: object | None
    paths: list[str] = field(default_factory=list)

    @property
    def has_parameters(self) -> bool:
        return "{" in self.pattern

    @property
    def is_admin(self) -> bool:
        return self.pattern.startswith("admin/")


def _regex_parts(regex: str) -> list[tuple[str, str]]:
    """Split a regex pattern into ("lit", text) and (name, group regex) parts."""
    regex = regex.removeprefix("^").removesuffix("$").removeprefix("\\A").removesuffix("\\Z")
    parts, index, literal = [], 0, ""
    while index < len(regex):
        if regex.startswith("(?P<", index):
            end_name = regex.index(">", index)
            name = regex[index + 4 : end_name]
            depth, cursor = 1, end_name + 1
            while depth:
                char = regex[cursor]
                if char == "\\":
                    cursor += 2
                    continue
                depth += {"(": 1, ")": -1}.get(char, 0)
                cursor += 1
            if literal:
                parts.append(("lit", literal))
                literal = ""
            parts.append((name, regex[end_name + 1 : cursor - 1]))
            index = cursor
            continue
        char = regex[index]
        if char == "\\" and index + 1 < len(regex):
            literal += regex[index + 1]
            index += 2
            continue
        if char == "?" and literal:
            # An optional character (DRF's trailing "/?"): keep it.
            index += 1
            continue
        literal += char
        index += 1
    if literal:
        parts.append(("lit", literal))
    return parts


def _pattern_parts(pattern) -> list[tuple[str, str]]:
    if isinstance(pattern, LocalePrefixPattern):
        return [("lit", pattern.language_prefix)]
    if isinstance(pattern, RoutePattern):
        route, parts, cursor = str(pattern._route), [], 0
        for match in ROUTE_PARAM.finditer(route):
            if match.start() > cursor:
                parts.append(("lit", route[cursor : match.start()]))
            parts.append((match["name"], pattern.converters[match["name"]].regex))
            cursor = match.end()
        if cursor < len(route):
            parts.append(("lit", route[cursor:]))
        return parts
    if isinstance(pattern, RegexPattern):
        return _regex_parts(pattern._regex)
    raise TypeError(f"Unbekannte URL-Pattern-Art: {pattern!r}")


def _walk(resolver, prefix):
    for entry in resolver.url_patterns:
        parts = prefix + _pattern_parts(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, parts)
        elif isinstance(entry, URLPattern):
            yield parts, entry


def project_routes(candidates, *, max_paths: int = MAX_PATHS_PER_PATTERN) -> tuple[list[Route], list[str]]:
    """Every URL pattern with concrete paths built from `candidates(name, regex, model_admin)`.

    Returns the routes and the patterns for which no candidate produced a resolvable path.
    """
    routes, unfilled = [], []
    for parts, entry in _walk(get_resolver(), []):
        model_admin = getattr(entry.callback, "model_admin", None)
        readable = "".join(text if kind == "lit" else "{" + kind + "}" for kind, text in parts)
        route = Route(pattern=readable, name=entry.name or "", model_admin=model_admin)
        options = []
        for kind, text in parts:
            if kind == "lit":
                options.append([text])
            else:
                values = [value for value in candidates(kind, text, model_admin) if re.fullmatch(text, value)]
                options.append(values)
        for combination in itertools.islice(itertools.product(*options), max_paths):
            path = "/" + "".join(combination)
            try:
                resolve(path)
            except Resolver404:
                continue
            route.paths.append(path)
        if not route.paths:
            unfilled.append(readable)
        routes.append(route)
    return routes, unfilled
