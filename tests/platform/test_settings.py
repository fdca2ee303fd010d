"""Settings refuse a default secret and debug mode outside development, and development (with
DEBUG on) is never assumed: an unset CZESG_ENV means production."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

CHECK = "import django; django.setup(); from django.conf import settings; print('started', settings.DEBUG)"
STRIPPED = ("CZESG_ENV", "DJANGO_SECRET_KEY", "DJANGO_DEBUG")


def start(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in STRIPPED}
    return subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True,
        env={**clean, "DJANGO_SETTINGS_MODULE": "czesg.settings", **env}, timeout=60,
    )


def test_production_refuses_the_default_secret():
    result = start({"CZESG_ENV": "production"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_short_secret():
    result = start({"CZESG_ENV": "production", "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0


def test_production_refuses_debug():
    result = start({"CZESG_ENV": "production", "DJANGO_SECRET_KEY": "x" * 50, "DJANGO_DEBUG": "1"})
    assert result.returncode != 0 and "DJANGO_DEBUG" in result.stderr


def test_production_starts_with_a_real_secret():
    result = start({"CZESG_ENV": "production", "DJANGO_SECRET_KEY": "k" * 50})
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_unknown_environment_is_refused():
    result = start({"CZESG_ENV": "staging"})
    assert result.returncode != 0
    assert "CZESG_ENV must be development, test or production" in result.stderr
    assert "'staging'" in result.stderr


def test_unset_environment_means_production_without_debug():
    refused = start({})
    assert refused.returncode != 0 and "DJANGO_SECRET_KEY must be set" in refused.stderr
    result = start({"DJANGO_SECRET_KEY": "k" * 50})
    assert result.returncode == 0, result.stderr
    assert "started False" in result.stdout
    assert start({"DJANGO_SECRET_KEY": "k" * 50, "DJANGO_DEBUG": "1"}).returncode != 0


def test_explicit_development_runs_with_debug_and_the_default_secret():
    result = start({"CZESG_ENV": "development"})
    assert result.returncode == 0, result.stderr
    assert "started True" in result.stdout


def test_test_settings_refuse_the_default_secret():
    result = start({"CZESG_ENV": "test"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr and "'test'" in result.stderr


def test_test_settings_start_with_a_generated_secret_and_without_debug():
    result = start({"CZESG_ENV": "test", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50)})
    assert result.returncode == 0, result.stderr
    assert "started False" in result.stdout


def test_outside_development_the_default_audit_key_is_refused():
    for env in ("production", "test"):
        clean = {k: v for k, v in os.environ.items() if k != "CZESG_AUDIT_KEY"}
        result = subprocess.run(
            [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60,
            env={**clean, "DJANGO_SETTINGS_MODULE": "czesg.settings", "CZESG_ENV": env,
                 "DJANGO_SECRET_KEY": "k" * 50},
        )
        assert result.returncode != 0 and "CZESG_AUDIT_KEY must be set" in result.stderr, env
        short = start({"CZESG_ENV": env, "DJANGO_SECRET_KEY": "k" * 50, "CZESG_AUDIT_KEY": "s" * 20})
        assert short.returncode != 0 and "CZESG_AUDIT_KEY must be set" in short.stderr, env
    result = start({"CZESG_ENV": "production", "DJANGO_SECRET_KEY": "k" * 50,
                    "CZESG_AUDIT_KEY": secrets.token_urlsafe(40)})
    assert result.returncode == 0, result.stderr


def test_development_accepts_the_default_audit_key():
    clean_env = {"CZESG_ENV": "development"}
    result = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60,
        env={**{k: v for k, v in os.environ.items() if k not in (*STRIPPED, "CZESG_AUDIT_KEY")},
             "DJANGO_SETTINGS_MODULE": "czesg.settings", **clean_env},
    )
    assert result.returncode == 0, result.stderr
DEPLOY_CHECK = (
    "import sys, django; django.setup(); from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING')"
)


def deploy_check(env: dict, tmp_path) -> subprocess.CompletedProcess:
    # pytest-playwright's DJANGO_ALLOW_ASYNC_UNSAFE is the suite's, never a deployment's.
    clean = {k: v for k, v in os.environ.items() if k not in STRIPPED
             and not k.startswith("CZESG_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "-c", DEPLOY_CHECK], capture_output=True, text=True, timeout=120,
        env={**clean, "DJANGO_SETTINGS_MODULE": "czesg.settings", "CZESG_VAR_DIR": str(tmp_path),
             **env},
    )


def test_deploy_check_is_clean_in_production(tmp_path):
    result = deploy_check({"CZESG_ENV": "production",
                           "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                           "CZESG_AUDIT_KEY": secrets.token_urlsafe(48)}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_sends_hsts_secure_cookies_and_redirects_to_https(tmp_path):
    show = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))")
    clean = {k: v for k, v in os.environ.items() if k not in STRIPPED and not k.startswith("CZESG_")}
    base = {**clean, "DJANGO_SETTINGS_MODULE": "czesg.settings", "CZESG_VAR_DIR": str(tmp_path),
            "CZESG_ENV": "production", "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "CZESG_AUDIT_KEY": secrets.token_urlsafe(48)}

    def run(**extra):
        out = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True,
                             env={**base, **extra}, timeout=60)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    assert run() == "31536000 True True True None"
    assert run(CZESG_PROXY_SSL_HEADER="X-Forwarded-Proto: https").endswith(
        "('HTTP_X_FORWARDED_PROTO', 'https')")
    assert run(CZESG_HTTPS="0") == "0 False False False None"  # a plain-HTTP trial, on request
    assert run(CZESG_HSTS_SECONDS="600").startswith("600 True")
    refused = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True,
                             env={**base, "CZESG_PROXY_SSL_HEADER": "X-Forwarded-Proto"}, timeout=60)
    assert refused.returncode != 0 and "CZESG_PROXY_SSL_HEADER" in refused.stderr
