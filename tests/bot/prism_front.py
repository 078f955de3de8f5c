"""Prism checking the bot's GitHub traffic against GitHub's OpenAPI description.

The chain in the tests: bot -> Front (loopback; rewrites Accept, records every exchange)
-> Prism in proxy mode with `--errors` (validates each request and response against
`@octokit/openapi`'s `generated/api.github.com.json`) -> the stateful stand-in.

The front exists because Prism answers 406 to GitHub's documented
`Accept: application/vnd.github+json`: the bot sends what production sends, and only the
test set-up rewrites it.
"""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NODE_DIR = REPO / ".ci" / "node"
INSTALL_SCRIPT = REPO / ".ci" / "install-node-tools"
PRISM = NODE_DIR / "node_modules" / ".bin" / "prism"
SPEC = (
    NODE_DIR
    / "node_modules"
    / "@octokit"
    / "openapi"
    / "generated"
    / "api.github.com.json"
)


def ensure_installed() -> str | None:
    """Install Prism and the description when missing; a reason to skip when npm is absent."""
    if PRISM.exists() and SPEC.exists():
        return None
    if shutil.which("npm") is None or shutil.which("node") is None:
        return "npm/node not found: Prism (@stoplight/prism-cli) cannot be installed to check GitHub API requests"
    subprocess.run(["bash", str(INSTALL_SCRIPT)], check=True)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrismProxy:
    """`prism proxy SPEC UPSTREAM --errors` on loopback, started once per test session."""

    def __init__(self, spec: Path, upstream: str, log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [
                str(PRISM),
                "proxy",
                str(spec),
                upstream,
                "--errors",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    def wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"Prism exited with {self.proc.returncode}; see {self.log_path}"
                )
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(
            f"Prism did not start within {timeout:.0f} s; see {self.log_path}"
        )

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


@dataclass
class Exchange:
    method: str
    path: str
    accept: str
    authorization: str
    request_body: object
    status: int
    violations: list
    response_body: object


class Front:
    """Loopback HTTP front: rewrites Accept for Prism and records what passed through."""

    def __init__(self, target_port: int) -> None:
        self.exchanges: list[Exchange] = []
        front = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if k.lower() not in ("host", "accept", "connection")
                }
                accept = self.headers.get("Accept", "")
                headers["Accept"] = (
                    "application/json" if "application/vnd.github" in accept else accept
                )
                conn = http.client.HTTPConnection("127.0.0.1", target_port, timeout=60)
                conn.request(self.command, self.path, body=raw or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
                violations = json.loads(response.getheader("sl-violations") or "[]")
                front.exchanges.append(
                    Exchange(
                        self.command,
                        self.path,
                        accept,
                        self.headers.get("Authorization", ""),
                        json.loads(raw) if raw else None,
                        response.status,
                        violations,
                        json.loads(data) if data else None,
                    )
                )
                self.send_response(response.status)
                for key, value in response.getheaders():
                    if key.lower() not in (
                        "transfer-encoding",
                        "connection",
                        "content-length",
                    ):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                conn.close()

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _forward

            def log_message(self, format, *args) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def load_spec() -> dict:
    with open(SPEC, encoding="utf-8") as handle:
        return json.load(handle)


# The path items the stand-in serves (github_standin.GitHubStandIn.handle). Prism checks
# the bot's traffic against these alone, with every component they use: a request to any
# other path gets the stand-in's 404, which the tests fail on, so the rest of the
# description would check nothing more. Prism reads the whole 13 MB in a minute of CPU.
SERVED_PATHS = (
    "/repos/{owner}/{repo}/pulls",
    "/repos/{owner}/{repo}/pulls/{pull_number}",
    "/repos/{owner}/{repo}/issues/{issue_number}/labels",
    "/repos/{owner}/{repo}/issues/{issue_number}/comments",
)


def write_served_spec(spec: dict, target: Path) -> Path:
    """GitHub's description cut to `SERVED_PATHS` and what they reference, at `target`."""
    served = {key: value for key, value in spec.items() if key != "x-webhooks"}
    served["paths"] = {path: spec["paths"][path] for path in SERVED_PATHS}
    components: dict[str, dict] = {}
    pending = [served["paths"]]
    while pending:
        for ref in _refs(pending.pop()):
            _, _, section, name = ref.split("/", 3)
            if name not in components.setdefault(section, {}):
                components[section][name] = spec["components"][section][name]
                pending.append(components[section][name])
    served["components"] = {
        section: dict(sorted(named.items())) for section, named in components.items()
    }
    target.write_text(json.dumps(served), encoding="utf-8")
    return target


def _refs(node) -> list[str]:
    """Every `$ref` under `node` (each a local `#/components/<section>/<name>`)."""
    found: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                assert ref.startswith("#/components/"), ref
                found.append(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found
