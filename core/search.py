"""Free-text search without personal data in the address.

A search box can hold a name. Sent with GET, the name would end up in the address bar, the
browser's history, bookmarks, and the access logs of every proxy and web server on the way.
Lists therefore send their search text in the body of a POST (with the CSRF token), while the
other filters, which hold no personal data, stay in the address so a filtered list can still be
shared: the POST's response tells htmx which address to show (HX-Push-Url) without the text.

A search text is at most SEARCH_MAX_LENGTH characters: longer is refused with a message (400).
No name, alias, case number or reference is near that long, and an unbounded text made SQLite's
LIKE fail ("LIKE or GLOB pattern too complex", 500) on the demo database.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.forms import is_htmx

SEARCH_FIELD = "q"
SEARCH_MAX_LENGTH = 100
_NOT_PARAMETERS = ("csrfmiddlewaretoken",)


def list_parameters(request: HttpRequest) -> QueryDict:
    """A list's filters and search: from the address on GET, from the form's body on POST."""
    params = (request.POST if request.method == "POST" else request.GET).copy()
    for name in _NOT_PARAMETERS:
        params.pop(name, None)
    return params


def search_text(params: QueryDict) -> str:
    return params.get(SEARCH_FIELD, "").strip()


def shareable_query(params: QueryDict, *, keep_page: bool = False) -> str:
    """The parameters that may travel in an address: everything but the search text."""
    query = params.copy()
    query.pop(SEARCH_FIELD, None)
    if not keep_page:
        query.pop("page", None)
    return query.urlencode()


def hidden_fields(params: QueryDict) -> list[tuple[str, str]]:
    """The parameters (search text included, page excluded) as hidden fields of a POST form."""
    return [(name, value) for name, values in params.lists() if name != "page" for value in values]


def push_shareable_url(request: HttpRequest, response: HttpResponse, params: QueryDict) -> None:
    """For an htmx search: show the list's address with its filters, never the search text (a
    page number only without search text, where it would point into a different list)."""
    query = shareable_query(params, keep_page=not search_text(params))
    response["HX-Push-Url"] = request.path + (f"?{query}" if query else "")


def search_in_address_redirect(request: HttpRequest) -> HttpResponse | None:
    """A GET with search text in its address (an old bookmark, a link written by hand): send
    the browser to the same address without it, and say why. The request has reached the
    server's log already; the redirect keeps the text out of the address bar and history."""
    if request.method != "GET" or SEARCH_FIELD not in request.GET:
        return None
    params = request.GET.copy()
    params.pop(SEARCH_FIELD)
    messages.info(
        request,
        _(
            "Search text is not sent in the web address, where it would be saved in the "
            "browser's history. Type it in the search field."
        ),
    )
    query = params.urlencode()
    return redirect(request.path + (f"?{query}" if query else ""))


def search_too_long(
    request: HttpRequest, text: str, *, back: str | None = None
) -> HttpResponse | None:
    """None for a search text within SEARCH_MAX_LENGTH; else a 400 that says so in the user's
    language: a partial for htmx (shown where the results would go), else a page."""
    if len(text.strip()) <= SEARCH_MAX_LENGTH:
        return None
    template = "core/_search_too_long.html" if is_htmx(request) else "core/search_too_long.html"
    context = {"limit": SEARCH_MAX_LENGTH, "back": back or request.path}
    response = render(request, template, context, status=400)
    # lotsa.js swaps this 400 into the page (htmx leaves error responses out by default).
    response["X-Lotsa-Explained"] = "1"
    return response
