"""Settings refuse a default secret and debug mode outside development."""

from __future__ import annotations

import os
import subprocess
import sys

CHECK = "import django; django.setup(); print('started')"


def start(env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
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
    assert start({"CZESG_ENV": "staging"}).returncode != 0
