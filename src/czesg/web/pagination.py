"""Pagination of the API's list endpoints."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """Page-number pagination with bounded numbers, so that no page offset can overflow the
    database's integers (found by schemathesis)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int | None = Field(None, ge=1, le=1000)
