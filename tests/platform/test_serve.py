"""`czesg serve` runs the production application server with its static files, and refuses
to start in production without a real secret."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def production_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "DJANGO_DEBUG")}
    env.update(CZESG_ENV="production", CZESG_HTTPS="0", CZESG_VAR_DIR=str(tmp_path),
               DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}", CZESG_ACCESS_LOG="0")
    return env


def test_production_server_serves_pages_api_and_static_files(production_env):
    port = free_port()
    env = {**production_env, "DJANGO_SECRET_KEY": "s" * 50}
    server = subprocess.Popen(
        [sys.executable, "-m", "czesg.cli", "serve", "--migrate", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        # Migrating a fresh database and starting the workers took 30-40 s on an idle two-core
        # machine and over 90 s on one running other work as well: a generous deadline.
        deadline = time.monotonic() + 240
        while True:
            try:
                status, headers, body = fetch(f"{base}/")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline
                time.sleep(0.5)
        assert status == 200 and "常州ESG数据服务平台" in body.decode()
        assert "gunicorn" in headers.get("Server", "")
        # Static files are collected with hashed names and served compressed by whitenoise.
        css = next(line for line in body.decode().splitlines() if "stylesheet" in line)
        href = css.split('href="')[1].split('"')[0]
        assert href.startswith("/static/czesg/czesg.") and href.endswith(".css") and href != "/static/czesg/czesg.css"
        status, headers, _ = fetch(base + href)
        assert status == 200 and "max-age" in headers.get("Cache-Control", "")
        status, _, body = fetch(f"{base}/api/v1/indicators?tier=basic")
        assert status == 200 and b"E-GHG-01" in body
        status, _, body = fetch(f"{base}/no-such-page/")
        assert status == 404 and "Traceback" not in body.decode()
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Each worker froze its loaded application out of the garbage collector (czesg.web.server).
    log = server.stderr.read().decode()
    assert "objects of the loaded application frozen out of the collector" in log, log[-2000:]


def test_production_server_refuses_the_default_secret(production_env):
    result = subprocess.run(
        [sys.executable, "-m", "czesg.cli", "serve", "--port", str(free_port())],
        env=production_env, capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_a_settled_worker_leaves_the_loaded_application_to_no_collection(production_env):
    """After :func:`czesg.web.server.settle` (gunicorn's post_worker_init), the objects the
    collector still tracks are a small remainder of those frozen: a full collection no longer
    walks the whole application (120-190 ms of CPU at a time before; `czesg bench --only load`)."""
    script = (
        "import gc, django; django.setup(); "
        "from czesg.web.server import settle; frozen = settle(); "
        "import czesg.urls, czesg.disclosures.api; "  # imported by settle already
        "print(frozen, len(gc.get_objects()), gc.get_freeze_count() == frozen)"
    )
    env = {**production_env, "DJANGO_SECRET_KEY": "s" * 50,
           "DJANGO_SETTINGS_MODULE": "czesg.settings"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    frozen, tracked, same = done.stdout.split()
    assert same == "True"
    assert int(frozen) > 50_000  # the whole application: Django, the apps, NumPy, Polars
    assert int(tracked) < int(frozen) // 20
