"""Accounts: Argon2 password hashes, throttled sign-in, the sign-in page in both languages."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(alice):
    assert alice.password.startswith("argon2$argon2id$")
    assert alice.check_password(PASSWORD)


def test_sign_in_page_is_chinese_by_default_and_english_on_request(client):
    page = client.get("/accounts/login/").content.decode()
    assert "登录" in page
    client.cookies["django_language"] = "en"
    assert "Sign in" in client.get("/accounts/login/").content.decode()


def test_successful_sign_in_lands_in_the_workspace(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/me/"


def test_wrong_password_gets_a_translated_message(client, alice):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_failed_sign_ins_are_throttled(client, alice, settings):
    from axes.models import AccessAttempt

    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    # Even the right password is refused while the lock lasts.
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert AccessAttempt.objects.get(username="alice").failures_since_start >= settings.AXES_FAILURE_LIMIT
    assert "_auth_user_id" not in client.session
