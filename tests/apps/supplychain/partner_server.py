"""A PACT partner on loopback for the tests: a tiny HTTP server (another organisation's system,
not czesg code) that issues tokens for one client, records the events posted to it and lists
footprints, so czesg's outgoing calls are exercised over real HTTP."""

from __future__ import annotations

import base64
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

CLIENT_ID, CLIENT_SECRET, TOKEN = "test_client_id", "test_client_secret", "partner-token-1"


@dataclass
class Partner:
    """The running partner: its base URL, what it received and what it serves."""

    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    footprints: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 1

    def events(self) -> list[dict[str, Any]]:
        """The events posted to /3/events, in order."""
        return [r for r in self.received if r["path"] == "/3/events"]


def start(partner_holder: dict[str, Partner]) -> ThreadingHTTPServer:
    """Start the partner on a free loopback port (the caller shuts it down)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _answer(self, status: int, body: Any = None, headers: dict | None = None) -> None:
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if body is not None:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _record(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            entry = {"method": self.command, "path": self.path.split("?")[0],
                     "query": self.path.partition("?")[2], "headers": dict(self.headers),
                     "raw": raw}
            partner_holder["partner"].received.append(entry)
            return entry

        def _authorised(self, entry: dict[str, Any]) -> bool:
            return entry["headers"].get("Authorization") == "Bearer " + TOKEN

        def do_POST(self) -> None:  # noqa: N802
            entry = self._record()
            if entry["path"] == "/auth/token":
                expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                if entry["headers"].get("Authorization") != "Basic " + expected:
                    return self._answer(401, {"error": "invalid_client"})
                if entry["raw"] != b"grant_type=client_credentials":
                    return self._answer(400, {"error": "unsupported_grant_type"})
                return self._answer(200, {"access_token": TOKEN, "token_type": "bearer"})
            if entry["path"] == "/3/events" and self._authorised(entry):
                entry["body"] = json.loads(entry["raw"])
                return self._answer(200)
            return self._answer(401, {"code": "BadRequest", "message": "no"})

        def do_GET(self) -> None:  # noqa: N802
            entry = self._record()
            partner = partner_holder["partner"]
            if entry["path"] != "/3/footprints" or not self._authorised(entry):
                return self._answer(401, {"code": "BadRequest", "message": "no"})
            offset = int(dict(p.split("=") for p in entry["query"].split("&") if "=" in p)
                         .get("offset", 0))
            page = partner.footprints[offset:offset + partner.page_size]
            headers = {}
            if offset + partner.page_size < len(partner.footprints):
                headers["Link"] = (f'<{partner.url}/3/footprints?offset='
                                   f'{offset + partner.page_size}>; rel="next"')
            return self._answer(200, {"data": page}, headers)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    partner_holder["partner"] = Partner(url=f"http://127.0.0.1:{server.server_address[1]}")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
