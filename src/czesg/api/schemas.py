"""The API's output schemas that other parts of the platform also produce: the public profile
is built ahead of requests (:mod:`czesg.portal.profiles`) in exactly the shape the API serves."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class EnterpriseOut(Schema):
    uscc: str
    name: str
    name_en: str
    industry_code: str
    division_code: str
    park_key: str
    size_class: str
    listed: bool
    exchange: str
    stock_code: str
    state_owned: bool
    is_synthetic: bool


class DisclosureOut(Schema):
    id: int
    enterprise: str
    year: int
    version: int
    state: str
    tier: str
    catalogue_version: str
    amends: int | None
    amendment_reason: str
    submitted_at: datetime | None
    published_at: datetime | None


class ProfileValue(Schema):
    indicator: str
    unit: str
    values: dict[int, float | None]


class ProfileOut(Schema):
    enterprise: EnterpriseOut
    published_years: list[int]
    latest: DisclosureOut | None
    headline: list[ProfileValue]
