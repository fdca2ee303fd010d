"""Fixtures of the finance tests, all made through the actions."""

from __future__ import annotations

import pytest


@pytest.fixture
def rated_a(draft_a, alice, gov, fill_basic):
    """Alpha with a published 2024 disclosure, rated (grade and green score) in one run."""
    from czesg.disclosures import actions
    from czesg.ratings import actions as ratings

    fill_basic(draft_a, alice)
    actions.submit_disclosure(draft_a, actor=alice)
    actions.publish_disclosure(draft_a, actor=alice)
    run = ratings.start_rating(2024, actor=gov, enqueue=False)
    ratings.run_rating(run.pk)
    return draft_a.enterprise


@pytest.fixture
def bank_a(make_user):
    from czesg.accounts.models import Role

    return make_user("bank_a", Role.BANK, organisation="甲银行常州分行")


@pytest.fixture
def bank_b(make_user):
    from czesg.accounts.models import Role

    return make_user("bank_b", Role.BANK, organisation="乙银行常州分行")


@pytest.fixture
def product(bank_a):
    """Bank A's 常绿贷 for manufacturers (industry C) with a green score of at least 10."""
    from czesg.finance import actions

    def make(bank=None, **overrides):
        kwargs = dict(name="常绿贷", kind="changlv", min_amount="50", max_amount="1000",
                      min_term_months="6", max_term_months="36",
                      rules=[{"figure": "green_score", "min": 10},
                             {"figure": "industry", "any_of": ["C"]}],
                      discounts=[{"min_score": 80, "bps": 30}, {"min_score": 10, "bps": 10}],
                      actor=bank or bank_a)
        kwargs.update(overrides)
        return actions.publish_product(**kwargs)

    return make


@pytest.fixture
def sent(rated_a, alice, bank_a, bank_b, product):
    """Alpha's request of 200 (10k CNY) over 24 months, sent to banks A and B."""
    from czesg.finance import actions

    product()
    product(bank=bank_b, name="环保贷", kind="environmental")
    return actions.submit_request(rated_a, amount="200", term_months="24",
                                  purpose="energy_saving", project="屋顶光伏 1 MW",
                                  banks=[bank_a, bank_b], actor=alice)
