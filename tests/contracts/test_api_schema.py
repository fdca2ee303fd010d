"""The OpenAPI schema is a contract: a snapshot test shows every change to it in review."""

from __future__ import annotations

import json
import os
from pathlib import Path

from czesg.api.v1 import api

SNAPSHOT = Path(__file__).parent / "snapshots" / "openapi-v1.json"


def test_openapi_schema_matches_the_snapshot():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    rendered = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if os.environ.get("CZESG_UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.write_text(rendered, encoding="utf-8")
    assert rendered == SNAPSHOT.read_text(encoding="utf-8"), (
        "The API schema changed. If intended, run the tests with CZESG_UPDATE_SNAPSHOTS=1 and "
        "commit tests/contracts/snapshots/openapi-v1.json."
    )


def test_schema_is_openapi_3_1_with_problem_documents_described():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    assert schema["openapi"].startswith("3.1")
    assert schema["info"]["version"] == "1"
