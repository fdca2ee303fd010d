"""The registry search's name and stock-code matches have indexes the planner can use."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q

from czesg.enterprises.models import Enterprise

pytestmark = pytest.mark.django_db


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is small: ask for indexes
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.only_on("postgresql")
def test_a_search_by_name_or_code_is_served_by_indexes(make_enterprise):
    make_enterprise("常州绿能电池有限公司", listed=True, exchange="SZSE", stock_code="300750")
    query = "绿能电池"
    rows = Enterprise.objects.filter(Q(name__icontains=query) | Q(uscc=query.upper())
                                     | Q(stock_code=query))
    plan = _plan(rows.order_by().values("pk"))
    assert "enterprise_name_upper_trgm" in plan and "enterprise_stock_code" in plan, plan
    assert "Seq Scan" not in plan, plan
    assert list(rows.values_list("name", flat=True)) == ["常州绿能电池有限公司"]
    assert list(Enterprise.objects.filter(stock_code="300750").values_list("name", flat=True)) == [
        "常州绿能电池有限公司"]
