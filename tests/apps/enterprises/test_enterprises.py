"""The enterprise registry: credit codes verified, facts checked against the city profile."""

from __future__ import annotations

import pytest

from czesg.audit.models import AuditEvent
from czesg.engine.kernel.errors import IdentifierError, PermissionRefused, StateConflict
from czesg.enterprises.actions import EnterpriseFacts, RegistryError, register_enterprise
from czesg.enterprises.models import Enterprise
from tests.conftest import uscc_for

pytestmark = pytest.mark.django_db


def facts(**overrides) -> EnterpriseFacts:
    base = dict(uscc=uscc_for(901), name="丙装备制造有限公司", industry_code="C3841",
                division_code="320412", size_class="medium")
    base.update(overrides)
    return EnterpriseFacts(**base)


def test_register_enterprise_records_an_audit_entry(gov):
    enterprise = register_enterprise(facts(park_key="wjhnd"), actor=gov)
    assert Enterprise.objects.get(uscc=enterprise.uscc).park_key == "wjhnd"
    event = AuditEvent.objects.get(action="enterprise.register")
    assert event.target_id == str(enterprise.pk) and event.payload["uscc"] == enterprise.uscc


def test_wrong_check_character_is_refused_naming_the_expected_one(gov):
    good = uscc_for(902)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(IdentifierError) as caught:
        register_enterprise(facts(uscc=wrong), actor=gov)
    assert caught.value.params["expected"] == good[17]
    assert not Enterprise.objects.exists()


def test_lower_case_code_is_normalised(gov):
    enterprise = register_enterprise(facts(uscc=uscc_for(903).lower()), actor=gov)
    assert enterprise.uscc == uscc_for(903)


@pytest.mark.parametrize(
    ("field", "value"),
    [("industry_code", "Z9999"), ("division_code", "110101"), ("park_key", "atlantis"),
     ("size_class", "giant"), ("name", "  ")],
)
def test_unknown_registry_facts_are_refused_naming_the_field(gov, field, value):
    with pytest.raises(RegistryError) as caught:
        register_enterprise(facts(**{field: value}), actor=gov)
    assert caught.value.params["field"] == field
    assert not Enterprise.objects.exists()


def test_listed_enterprise_needs_exchange_and_stock_code(gov):
    with pytest.raises(RegistryError):
        register_enterprise(facts(listed=True, exchange="SSE"), actor=gov)
    listed = register_enterprise(facts(listed=True, exchange="SSE", stock_code="600000"), actor=gov)
    assert listed.listed and listed.stock_code == "600000"


def test_duplicate_code_is_refused(gov):
    register_enterprise(facts(), actor=gov)
    with pytest.raises(StateConflict):
        register_enterprise(facts(name="另一个名字"), actor=gov)


def test_only_government_registers(alice):
    with pytest.raises(PermissionRefused):
        register_enterprise(facts(), actor=alice)
