"""Pagination of the API's list endpoints and of list pages.

- :class:`Pages`: page numbers (``page``, ``page_size``) with a count, for lists that stay small
  enough for an OFFSET and a COUNT (an enterprise's imports, the enterprises).
- :class:`KeysetPages`: an opaque cursor over a unique, indexed order, for lists that grow with
  the city's data (the published datapoints). A page is one index range scan that starts where
  the last page ended, so its cost does not grow with its depth; there is no count.
- :func:`page_of`: a page of a query set for an HTML list page (Django's paginator).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Sequence
from typing import Any

from django.core import signing
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination, PaginationBase
from ninja.responses import NinjaJSONEncoder

# The longest cursor accepted: a signed key of two short values is about 60 characters.
CURSOR_MAX_LENGTH = 200


class Pages(PageNumberPagination):
    """Page-number pagination with bounded numbers, so that no page offset can overflow the
    database's integers (found by schemathesis)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1000)


def cursor(salt: str, key: Sequence[Any], secret: str | None = None) -> str:
    """The cursor that starts a :class:`KeysetPages` list named ``salt`` after ``key``, signed
    with ``secret`` (the settings' secret key when None; the bench signs for its own server)."""
    return signing.dumps(list(key), key=secret, salt=f"czesg.keyset.{salt}", compress=False)


def _invalid(parameter: str, message: str) -> ValidationError:
    """A 422 problem naming the query ``parameter`` (written by the API's handlers)."""
    return ValidationError([{"loc": ("query", parameter), "msg": message, "type": "value_error"}])


class KeysetPages(PaginationBase):
    """Cursor pagination over ``keys``, field names whose values together are unique and
    indexed in this order (ascending); ``salt`` separates one endpoint's cursors from another's;
    ``bound``, given a cursor's key, returns one more filter that repeats the start of the range
    on another table (PostgreSQL carries equalities across a join, not ranges).

    The answer holds ``items`` and ``next``: the URL of the following page (the request's own
    URL with ``cursor`` set), or null on the last page. The cursor is the last row's key, signed
    with the secret key, so that a client can neither forge nor edit one; a cursor that does not
    verify is refused with a 422 problem naming ``cursor``. ``page`` is refused likewise (except
    ``page=1``, the first page), so that a client written for page numbers stops instead of
    reading the first page again and again.
    """

    class Input(Schema):
        cursor: str | None = Field(
            None, max_length=CURSOR_MAX_LENGTH,
            description="Where the page starts: the cursor of the previous page's `next` URL; "
                        "leave it out for the first page.",
        )
        page_size: int | None = Field(None, ge=1, le=1000)

    class Output(Schema):
        items: list[Any]
        next: str | None

    def __init__(self, *, keys: Sequence[str], salt: str, page_size: int = 100,
                 max_page_size: int = 1000, bound: Callable[[list[Any]], Any] | None = None,
                 **kwargs: Any) -> None:
        self.keys = tuple(keys)
        self.bound = bound
        self.name = salt
        self.salt = f"czesg.keyset.{salt}"
        self.page_size = page_size
        self.max_page_size = max_page_size
        super().__init__(**kwargs)

    def encode(self, key: Sequence[Any]) -> str:
        """The cursor of a row whose key (the values of :attr:`keys`) is ``key``."""
        return cursor(self.name, key)

    def decode(self, cursor: str) -> list[Any]:
        """The key written in ``cursor``, or a 422 problem naming ``cursor``."""
        try:
            key = signing.loads(cursor, salt=self.salt)
        except (signing.BadSignature, ValueError, UnicodeError):
            key = None
        if (not isinstance(key, list) or len(key) != len(self.keys)
                or not all(isinstance(v, int | str) and not isinstance(v, bool) for v in key)):
            raise _invalid("cursor", gettext(
                "This cursor is not valid: use the next URL of the previous page as it is."))
        return key

    def after(self, key: Sequence[Any], *, row_values: bool = False) -> Q | TupleGreaterThan:
        """The rows after ``key`` in key order.

        With ``row_values`` (PostgreSQL) a row comparison, ``(k1, k2) > (a, b)``: one index
        condition, whose selectivity the planner estimates from its first column alone. Without
        it, ``k1 >= a AND (k1 > a OR (k1 = a AND k2 > b))``, which bounds an index range on SQLite
        too; on PostgreSQL that form was estimated as the product of its two range clauses (the
        fraction of the list after the cursor, squared), so that for cursors in the last tenth
        of the list the planner expected fewer rows than a page, joined and sorted every row
        after the cursor instead of reading one page from the index (23,501 rows, 230 ms, for a
        page of 100 at 10,000 enterprises: the datapoints page's p99 stall)."""
        if row_values:
            return TupleGreaterThan(Tuple(*(F(name) for name in self.keys)), list(key))

        def strictly_after(i: int) -> Q:
            name, value = self.keys[i], key[i]
            if i == len(self.keys) - 1:
                return Q(**{f"{name}__gt": value})
            return Q(**{f"{name}__gt": value}) | (Q(**{name: value}) & strictly_after(i + 1))

        return Q(**{f"{self.keys[0]}__gte": key[0]}) & strictly_after(0)

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request: HttpRequest,
                          **params: Any) -> dict[str, Any]:
        """One page of ``queryset`` (unordered: the keys order it) after the cursor."""
        if request.GET.get("page", "1") != "1":
            raise _invalid("page", gettext(
                "Page numbers are not supported here: follow the next URL of each page."))
        size = min(pagination.page_size or self.page_size, self.max_page_size)
        if pagination.cursor:
            key = self.decode(pagination.cursor)
            row_values = connections[queryset.db].features.supports_tuple_lookups
            queryset = queryset.filter(self.after(key, row_values=row_values))
            if self.bound is not None:
                queryset = queryset.filter(self.bound(key))
        rows = list(queryset.order_by(*self.keys)[: size + 1])
        following = None
        if len(rows) > size:
            rows = rows[:size]
            last = rows[-1]
            query = request.GET.copy()
            query.pop("page", None)
            query["cursor"] = self.encode([_attribute(last, k) for k in self.keys])
            following = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return {"items": rows, "next": following}


def _attribute(row: Any, key: str) -> Any:
    """The value of ``key`` (a field name, ``__`` for a relation) on ``row``, a model instance
    or a dictionary of a ``values()`` query set (whose keys are the names as written)."""
    if isinstance(row, dict):
        return row[key]
    value = row
    for part in key.split("__"):
        value = getattr(value, part)
    return value


def rendered_page(row_out: Callable[[Any], dict[str, Any]]) -> Callable:
    """Render a paginated operation's page as JSON here, each row by ``row_out``, instead of
    through the response schema's validation: for lists of plain rows that the schema describes
    (and the OpenAPI document still publishes) but whose per-row validation would cost more than
    the query. Goes between the router's decorator and ``paginate``; ``row_out`` must produce
    exactly the schema's fields (the contract tests check the answers against the schema)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def render(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            page = view(request, *args, **kwargs)
            if not isinstance(page, dict):
                return page
            body = {"items": [row_out(row) for row in page["items"]], "next": page["next"]}
            return HttpResponse(json.dumps(body, cls=NinjaJSONEncoder),
                                content_type="application/json; charset=utf-8")

        return render

    return decorate


def page_of(request: HttpRequest, queryset: QuerySet, per_page: int) -> Page:
    """The page of ``queryset`` that the request's ``page`` parameter asks for (the last page
    for a number past it, the first for anything that is no number): LIMIT/OFFSET in the
    database and one COUNT, for lists that a single user owns (their grants, their runs)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
