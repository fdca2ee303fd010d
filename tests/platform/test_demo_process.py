"""`czesg demo` stops its server and worker when it is stopped, and stops both when one dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.platform.test_serve import free_port

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads child processes from /proc")


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, grandchildren, ...), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def running_demo(tmp_path):
    """A `czesg demo` with a small data set on a temporary SQLite database, serving."""
    env = {k: v for k, v in os.environ.items() if k not in ("CZESG_ENV", "DJANGO_DEBUG")}
    env.update(CZESG_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
               CZESG_ACCESS_LOG="0")
    port = free_port()
    demo = subprocess.Popen(
        [sys.executable, "-m", "czesg.cli", "demo", "--enterprises", "3", "--workers", "1",
         "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 180  # migrations, a small demo and collectstatic on a busy machine
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
                assert response.status == 200
            break
        except OSError:
            assert demo.poll() is None, demo.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline
            time.sleep(0.5)
    children = descendants(demo.pid)
    try:
        yield demo, children
    finally:
        for pid in [demo.pid, *children]:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        demo.wait(timeout=10)


@pytest.mark.skipif(os.environ.get("DATABASE_URL", "").startswith("postgres"),
                    reason="the demo runs on its own SQLite file: run once, in the SQLite pass")
def test_sigterm_stops_the_demo_with_its_server_and_worker(running_demo):
    demo, children = running_demo
    assert len(children) >= 3  # the worker, gunicorn's master and its worker
    demo.send_signal(signal.SIGTERM)
    assert demo.wait(timeout=15) == 0
    time.sleep(0.5)
    assert [pid for pid in children if alive(pid)] == []


def sleeper() -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


def test_a_child_dying_stops_the_others_and_fails():
    from czesg.cli import _supervise

    dying = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    others = [sleeper(), sleeper()]
    started = time.monotonic()
    assert _supervise([*others, dying]) == 3
    assert time.monotonic() - started < 10
    assert all(child.returncode is not None for child in others)


def test_a_child_ignoring_sigterm_is_killed_after_the_grace_period():
    from czesg.cli import _supervise

    stubborn = subprocess.Popen([sys.executable, "-c", "import signal, sys, time; "
                                 "signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                                 "print('ready', flush=True); time.sleep(120)"], stdout=subprocess.PIPE)
    assert stubborn.stdout.readline() == b"ready\n"
    dying = subprocess.Popen([sys.executable, "-c", "raise SystemExit(0)"])
    assert _supervise([stubborn, dying], grace=1.0) != 0  # a child stopping on its own is a failure
    assert stubborn.returncode == -signal.SIGKILL
