"""Account security: sign-in throttling per account across addresses and per address across
accounts, with a lock message that says what happens; password reset by an administrator (the
``czesg accounts`` command) and by e-mail; a new password ends the account's other sessions."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.test import Client

from czesg.audit.models import AuditEvent
from czesg.cli import main
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Hexagon-Lantern-4821"


def sign_in(username: str, password: str, address: str) -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/accounts/login/", {"username": username, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return client.get("/me/").status_code == 200


def test_wrong_passwords_from_many_addresses_lock_the_account(alice, settings):
    addresses = [f"198.51.100.{n}" for n in range(1, 6)]
    for n in range(20):
        sign_in("alice", "wrong", addresses[n % 5])
    # The right password, from an address that never failed, is refused while the lock lasts.
    client, response = sign_in("alice", PASSWORD, "203.0.113.77")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page
    minutes = settings.AXES_COOLOFF_TIME * 60
    assert f"{settings.AXES_FAILURE_LIMIT} 次" in page and f"{minutes:.0f} 分钟" in page
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_for_many_accounts_lock_the_address(make_user, settings):
    users = [make_user(f"user{n}") for n in range(settings.AXES_FAILURE_LIMIT + 1)]
    for user in users[:-1]:
        sign_in(user.username, "wrong", "198.51.100.9")  # one wrong password per account
    # The address is locked even for an account that never failed, with the right password...
    client, response = sign_in(users[-1].username, PASSWORD, "198.51.100.9")
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # ...while the same account signs in from another address, and so do the others.
    client, response = sign_in(users[-1].username, PASSWORD, "203.0.113.5")
    assert response.status_code == 302 and signed_in(client)
    client, response = sign_in(users[0].username, PASSWORD, "203.0.113.5")
    assert response.status_code == 302


def test_administrator_resets_a_password_from_the_command_line(alice, capsys, settings):
    old_session, _ = sign_in("alice", PASSWORD, "203.0.113.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in("alice", "wrong", "198.51.100.3")
    assert main(["accounts", "reset-password", "alice", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    temporary = result["password"]
    assert result["username"] == "alice" and len(temporary) >= 12
    alice.refresh_from_db()
    assert alice.check_password(temporary) and not alice.check_password(PASSWORD)
    assert not signed_in(old_session)  # the session signed in with the old password is ended
    event = AuditEvent.objects.filter(action="accounts.set_password").get()
    assert event.target_id == str(alice.pk) and event.actor_label == "system"
    assert json.loads(event.payload_json)["reason"] == "reset_by_administrator"
    assert temporary not in event.payload_json
    # The reset lifted the lock: the new password works at once.
    client, response = sign_in("alice", temporary, "198.51.100.3")
    assert response.status_code == 302 and signed_in(client)


def test_reset_refuses_an_unknown_user_and_a_weak_password(alice, capsys, monkeypatch):
    assert main(["accounts", "reset-password", "nobody"]) == 1
    assert "no user named 'nobody'" in capsys.readouterr().err
    monkeypatch.setattr("getpass.getpass", lambda prompt: "12345678")
    assert main(["accounts", "reset-password", "alice", "--prompt"]) == 1
    assert "太常见" in capsys.readouterr().err  # the validator's translated message
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="accounts.set_password").exists()


def test_administrator_unlocks_an_address(make_user, settings, capsys):
    users = [make_user(f"user{n}") for n in range(settings.AXES_FAILURE_LIMIT + 1)]
    for user in users[:-1]:
        sign_in(user.username, "wrong", "198.51.100.20")
    assert sign_in(users[-1].username, PASSWORD, "198.51.100.20")[1].status_code == 429
    assert main(["accounts", "unlock", "--ip", "198.51.100.20"]) == 0
    assert "lifted" in capsys.readouterr().out
    assert sign_in(users[-1].username, PASSWORD, "198.51.100.20")[1].status_code == 302
    assert AuditEvent.objects.filter(action="accounts.unlock", target_id="198.51.100.20").exists()


def test_password_reset_by_email(alice):
    alice.email = "alice@example.com"
    alice.save(update_fields=["email"])
    other_session, _ = sign_in("alice", PASSWORD, "203.0.113.2")
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert "请查收" in client.get(response["Location"]).content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["alice@example.com"] and "重置密码" in message.subject
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)
    form_url = client.get(link)["Location"]  # Django moves the token into the session
    page = client.get(form_url).content.decode()
    assert "设置新密码" in page
    response = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert "新密码已设置" in client.get(response["Location"]).content.decode()
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    assert not signed_in(other_session)
    event = AuditEvent.objects.get(action="accounts.set_password")
    assert json.loads(event.payload_json)["reason"] == "reset_by_email"
    assert event.actor_label != "system"
    # The link works once.
    assert "链接无效" in client.get(link, follow=True).content.decode()


def test_reset_by_email_for_an_unknown_address_sends_nothing_and_says_the_same(alice):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []


def test_changing_the_password_keeps_this_session_and_ends_the_others(alice):
    changer, _ = sign_in("alice", PASSWORD, "203.0.113.3")
    other, _ = sign_in("alice", PASSWORD, "203.0.113.4")
    response = changer.post("/accounts/password/change/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 302 and response["Location"] == "/accounts/password/change/done/"
    assert signed_in(changer)
    assert not signed_in(other)
    alice.refresh_from_db()
    assert alice.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="accounts.set_password")
    assert json.loads(event.payload_json)["reason"] == "changed_by_owner"


def test_changing_the_password_needs_the_old_one(alice):
    changer, _ = sign_in("alice", PASSWORD, "203.0.113.3")
    response = changer.post("/accounts/password/change/", {
        "old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="accounts.set_password").exists()


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and b"<svg" in b"".join(icon.streaming_content)
    assert 'rel="icon"' in client.get("/").content.decode()
