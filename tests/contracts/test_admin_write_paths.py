"""Issue 13 item 1: no write path outside the actions. Every model registered in the admin is
walked as a platform administrator: its pages answer, read-only models refuse every write, and
the action-backed ones (enterprises, accounts, memberships) refuse what the actions refuse and
write exactly one audit entry through them."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from czesg.accounts.models import Membership, Role, User
from czesg.audit.models import AuditEvent
from czesg.carbon import actions as carbon_actions
from czesg.disclosures import actions as disclosure_actions
from czesg.engine.kernel.errors import CzesgError
from czesg.engine.kernel.identifiers import validate_uscc
from czesg.enterprises.actions import facts_of
from czesg.enterprises.models import Enterprise
from czesg.web.problems import user_message
from tests.conftest import PASSWORD, uscc_for

pytestmark = pytest.mark.django_db

#: Models whose admin writes go through the actions; every other registered model is read-only.
ACTION_BACKED = {Enterprise, User}

GOOD = uscc_for(70)
FORBIDDEN_LETTER = GOOD[:10] + "O" + GOOD[11:]
WRONG_CHECK = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")


@pytest.fixture
def rows(firm_a, alice, draft_a, system, make_enterprise):
    """At least one row of every registered model, made through the actions where they exist."""
    from czesg.supplychain import actions as supplychain_actions

    product = supplychain_actions.create_product(firm_a, name="Cell", declared_unit="kilogram",
                                                 actor=alice)
    supplychain_actions.compute_product_footprint(
        product, year=2024, output=10.0, actor=alice,
        fuels=[{"activity": "electricity", "quantity": 100.0, "unit": "kWh"}])
    supplychain_actions.grant_footprint_consent(firm_a, make_enterprise(), actor=alice)
    pact_client, _ = supplychain_actions.register_pact_client(firm_a, name="ERP", actor=alice)
    from czesg.supplychain.partners import register_pact_partner

    register_pact_partner(firm_a, name="Partner", base_url="https://partner.example/pact",
                          client_id="c", client_secret="s", actor=alice)
    supplychain_actions.receive_pact_event(pact_client, {
        "type": "org.wbcsd.pact.ProductFootprint.PublishedEvent.3", "specversion": "1.0",
        "id": "e1", "source": "https://partner.example", "data": {"pfIds": []}})
    supplier = make_enterprise()
    supplychain_actions.send_request(
        firm_a, template="battery", title="ESG", year=2024, indicators=["E-WAT-01"],
        suppliers=[{"uscc": supplier.uscc}], due_date=dt.date.today() + dt.timedelta(days=9),
        actor=alice)
    supplychain_actions.save_weighting(firm_a, {"rating": 1}, actor=alice)
    disclosure_actions.set_value(draft_a, "S-EMP-01", 12, "person", actor=alice)
    from czesg.bench.extraction_corpus import corpus
    from czesg.extraction.actions import read_report

    read_report(firm_a, 2024, corpus()[1].pdf, "report.pdf", actor=alice)  # a run, candidates
    carbon_actions.calculate_for(
        firm_a, 2024, [{"activity": "electricity", "quantity": "1,200,000", "unit": "kWh"}],
        gwp_set="AR6", factor_set="2025.1", actor=alice)
    batch = carbon_actions.start_carbon_batch(2024, gwp_set="AR6", factor_set="2025.1",
                                              actor=system)
    carbon_actions.run_carbon_batch(batch.pk)  # a batch run with its totals
    # Sign-in records are written by django-axes itself on a sign-in, not by an action.
    AccessAttempt.objects.create(username="gov", ip_address="127.0.0.1", user_agent="test",
                                 failures_since_start=1, get_data="", post_data="")
    AccessLog.objects.create(username="gov", ip_address="127.0.0.1", user_agent="test")
    AccessFailureLog.objects.create(username="gov", ip_address="127.0.0.1", user_agent="test")


@pytest.fixture
def admin_client(client, system):
    client.force_login(system)
    return client


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _enterprise_form(**overrides):
    data = {
        "uscc": GOOD, "name": "管理后台企业有限公司", "name_en": "", "industry_code": "C3841",
        "division_code": "320411", "park_key": "", "size_class": "small", "exchange": "",
        "stock_code": "", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_the_registered_models_are_known():
    # A model newly registered must be classified here (action-backed or read-only) on purpose.
    registered = set(admin.site._registry)
    assert not any(m._meta.label == "auth.Group" for m in registered)
    assert ACTION_BACKED <= registered


def test_every_admin_page_answers_and_read_only_models_refuse_every_write(rows, admin_client):
    events = AuditEvent.objects.count()
    for model in list(admin.site._registry):
        label = model._meta.label
        assert admin_client.get(_url(model, "changelist")).status_code == 200, label
        obj = model._default_manager.first()
        if obj is None:  # only the task queue's results, which no test here enqueues
            assert label == "django_tasks_database.DBTaskResult", f"no {label} row to walk"
            assert admin_client.post(_url(model, "add"), {}).status_code == 403, label
            continue
        assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200, label
        if model in ACTION_BACKED:
            assert admin_client.get(_url(model, "add")).status_code == 200, label
            assert admin_client.get(_url(model, "delete", obj.pk)).status_code == 403, label
            continue
        count = model._default_manager.count()
        assert admin_client.get(_url(model, "add")).status_code == 403, label
        assert admin_client.post(_url(model, "add"), {}).status_code == 403, label
        assert admin_client.post(_url(model, "change", obj.pk), {}).status_code == 403, label
        assert admin_client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
        changelist = admin_client.post(_url(model, "changelist"), {
            "action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"})
        assert changelist.status_code in (200, 302), label
        assert model._default_manager.count() == count, label
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("bad", [FORBIDDEN_LETTER, WRONG_CHECK])
def test_an_invalid_credit_code_is_refused_with_the_actions_message(bad, admin_client, system):
    events = AuditEvent.objects.count()
    with pytest.raises(CzesgError) as refused:
        validate_uscc(bad)
    for language in ("zh-hans", "en"):
        response = admin_client.post(_url(Enterprise, "add"), _enterprise_form(uscc=bad),
                                     HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        with translation.override(language):
            expected = user_message(refused.value)
        assert response.context["adminform"].form.errors["uscc"] == [expected]
    assert not Enterprise.objects.exists()
    assert AuditEvent.objects.count() == events


def test_an_enterprise_added_and_changed_in_the_admin_goes_through_the_actions(admin_client,
                                                                                system):
    events = AuditEvent.objects.count()
    response = admin_client.post(_url(Enterprise, "add"),
                                 _enterprise_form(uscc=GOOD.lower(), name=" 后台企业 "))
    assert response.status_code == 302
    enterprise = Enterprise.objects.get()
    assert (enterprise.uscc, enterprise.name) == (GOOD, "后台企业")  # cleaned by the action
    (event,) = AuditEvent.objects.order_by("seq")[events:]
    assert (event.action, event.target_id, event.payload["uscc"]) == (
        "enterprise.register", str(enterprise.pk), GOOD)

    response = admin_client.post(_url(Enterprise, "change", enterprise.pk),
                                 _enterprise_form(name="后台企业二", division_code="999999"))
    assert response.status_code == 200
    assert "999999" in response.context["adminform"].form.errors["division_code"][0]
    response = admin_client.post(_url(Enterprise, "change", enterprise.pk),
                                 _enterprise_form(name="后台企业二"))
    assert response.status_code == 302
    (event,) = AuditEvent.objects.order_by("seq")[events + 1:]
    assert event.action == "enterprise.update"
    assert event.payload["changes"] == {"name": ["后台企业", "后台企业二"]}
    assert Enterprise.objects.get().name == "后台企业二"


def test_a_duplicate_credit_code_is_refused(admin_client, firm_a):
    response = admin_client.post(_url(Enterprise, "add"),
                                 _enterprise_form(uscc=firm_a.uscc.lower()))
    assert response.status_code == 200 and response.context["adminform"].form.errors["uscc"]
    assert Enterprise.objects.count() == 1


def test_memberships_change_through_the_registry_actions(admin_client, firm_a, make_user, gov):
    carol = make_user("carol")
    events = AuditEvent.objects.count()
    facts = {k: v for k, v in facts_of(firm_a).__dict__.items() if not isinstance(v, bool)}
    data = _enterprise_form(**{
        **facts, "memberships-TOTAL_FORMS": "1",
        "memberships-0-user": str(gov.pk), "memberships-0-role": "manager"})
    response = admin_client.post(_url(Enterprise, "change", firm_a.pk), data)
    assert response.status_code == 200  # a government user cannot be a member
    assert not Membership.objects.exists() and AuditEvent.objects.count() == events
    data["memberships-0-user"] = str(carol.pk)
    assert admin_client.post(_url(Enterprise, "change", firm_a.pk), data).status_code == 302
    membership = Membership.objects.get()
    assert (membership.user, membership.enterprise) == (carol, firm_a)
    assert [e.action for e in AuditEvent.objects.order_by("seq")[events:]] == [
        "enterprise.add_member"]
    data.update({"memberships-INITIAL_FORMS": "1", "memberships-0-id": str(membership.pk),
                 "memberships-0-enterprise": str(firm_a.pk), "memberships-0-DELETE": "on"})
    assert admin_client.post(_url(Enterprise, "change", firm_a.pk), data).status_code == 302
    assert not Membership.objects.exists()
    assert [e.action for e in AuditEvent.objects.order_by("seq")[events:]] == [
        "enterprise.add_member", "enterprise.remove_member"]


def test_accounts_are_created_and_changed_through_the_actions(admin_client, system):
    events = AuditEvent.objects.count()
    form = {"username": "parkadmin", "usable_password": "true", "password1": PASSWORD,
            "password2": PASSWORD, "role": Role.PARK_ADMIN, "organisation": "", "park_key": ""}
    response = admin_client.post(_url(User, "add"), form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["park_key"] == [
        "A park administrator needs the park they administer."]
    assert not User.objects.filter(username="parkadmin").exists()
    assert AuditEvent.objects.count() == events

    form["role"] = Role.BANK
    response = admin_client.post(_url(User, "add"), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="parkadmin")
    assert user.role == Role.BANK and user.check_password(PASSWORD)
    (event,) = AuditEvent.objects.order_by("seq")[events:]
    assert (event.action, event.target_id) == ("account.create", str(user.pk))
    assert PASSWORD not in str(event.payload)

    change = {"username": "parkadmin", "first_name": "", "last_name": "", "email": "",
              "role": Role.BANK, "organisation": "江南银行", "park_key": "", "is_active": "on",
              "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-01-01",
              "date_joined_1": "00:00:00", "memberships-TOTAL_FORMS": "0",
              "memberships-INITIAL_FORMS": "0"}
    response = admin_client.post(_url(User, "change", user.pk), change)
    assert response.status_code == 302, response.context["adminform"].form.errors
    (event,) = AuditEvent.objects.order_by("seq")[events + 1:]
    assert event.action == "account.update"
    assert event.payload["changes"] == {"organisation": ["", "江南银行"]}

    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"usable_password": "true", "password1": "another-long-passphrase-9",
         "password2": "another-long-passphrase-9"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase-9")
    (event,) = AuditEvent.objects.order_by("seq")[events + 2:]
    assert (event.action, event.payload["usable"]) == ("account.set_password", True)


def test_only_platform_administrators_write_in_the_admin(client, make_user, firm_a):
    staff = make_user("staffgov", Role.GOVERNMENT, is_staff=True, is_superuser=True)
    client.force_login(staff)
    assert client.get(_url(User, "add")).status_code == 403
    assert client.post(_url(User, "add"), {"username": "x"}).status_code == 403
    # Government users may keep the registry, as on the pages.
    assert client.get(_url(Enterprise, "add")).status_code == 200


WRITES = {"save", "create", "delete", "update", "update_or_create", "get_or_create",
          "bulk_create", "bulk_update", "set_password"}


def test_no_page_api_form_or_admin_module_writes_around_the_actions():
    # The pages of every role (government and park users' included), the API, the forms and the
    # admin call the actions; a direct ORM write in one of them would skip checks and audit.
    import ast
    from pathlib import Path

    import czesg

    root = Path(czesg.__file__).parent
    found, scanned = [], set()
    for name in ("views.py", "api.py", "forms.py", "admin.py", "v1.py"):
        for path in sorted(root.rglob(name)):
            if "engine" in path.parts:
                continue
            scanned.add(str(path.relative_to(root)))
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in WRITES
                        # a call into an app's action layer is the right path
                        and not (isinstance(node.func.value, ast.Name)
                                 and node.func.value.id == "actions")):
                    found.append(f"{path.relative_to(root)}:{node.lineno} .{node.func.attr}()")
    assert {"parks/views.py", "plan/views.py", "registries/views.py", "records/views.py",
            "enterprises/admin.py", "accounts/admin.py", "disclosures/api.py"} <= scanned
    assert found == []
