"""`czesg bench --only load` reports the datapoints page's latency and the home page's p99 under
sixteen anonymous clients (at a tiny scale: the figures exist and are numbers; their targets
live in the bench output, not in a test)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

FIGURES = ["api_datapoints_page_ms", "api_datapoints_page_p50_ms", "api_datapoints_first_page_ms",
           "home_p99_under_load_ms", "home_p50_under_load_ms", "home_p99_idle_ms", "load_rps"]


@pytest.mark.skipif(not any(os.access(os.path.join(p, "wrk"), os.X_OK)
                            for p in os.environ.get("PATH", "").split(os.pathsep)),
                    reason="the load tool wrk is not installed")
def test_load_group_reports_its_figures(tmp_path):
    env = {**os.environ, "CZESG_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # the bench makes its own temporary database
    done = subprocess.run(
        [sys.executable, "-m", "czesg.cli", "bench", "--only", "load", "--scale", "0.001",
         "--format", "json"],
        env=env, capture_output=True, text=True, timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout)["figures"]
    for name in FIGURES:
        assert isinstance(figures[name], float) and figures[name] > 0, (name, figures[name])
    assert figures["load_clients"] == 16 and figures["load_enterprises"] == 100
    assert figures["api_datapoints_rows"] > 0
    # Every answer was a success: no page failed under the load (a slow one may time out on a
    # busy machine; that is a figure, not a failure).
    assert figures["api_datapoints_page_errors"] == 0 and figures["home_errors"] == 0
    assert figures["load_status_errors"] == 0
