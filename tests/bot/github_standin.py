"""A small stateful stand-in for the GitHub REST endpoints the bot uses.

It sits behind Prism in proxy mode, so every request it gets and every answer it gives
is checked against GitHub's OpenAPI description; its answers are built from the
description's own examples with the fields that matter (number, state, head, base,
body, labels) filled in from its state. Like GitHub it refuses a pull request whose head
branch is not on the remote (it reads the bare repository) and a second open pull
request for the same head.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

DOCS = "https://docs.github.com/rest"


@dataclass
class Pull:
    number: int
    title: str
    body: str
    head: str
    base: str
    state: str = "open"
    merged: bool = False
    labels: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


@dataclass
class RepoState:
    owner: str
    name: str
    remote: Path  # the bare repository the bot pushes to
    pulls: dict[int, Pull] = field(default_factory=dict)
    next_number: int = 1
    # As when the repository does not let GitHub Actions create pull requests.
    actions_may_create_pulls: bool = True

    def open_pull_for(self, head: str) -> Pull | None:
        return next(
            (p for p in self.pulls.values() if p.head == head and p.state == "open"),
            None,
        )


class GitHubStandIn:
    def __init__(self, spec: dict) -> None:
        examples = spec["components"]["examples"]
        self._pull = examples["pull-request"]["value"]
        self._simple = examples["pull-request-simple-items"]["value"][0]
        self._comment = examples["issue-comment"]["value"]
        self._label = examples["label-items"]["value"][0]
        self.repos: dict[str, RepoState] = {}
        self.lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- set-up and inspection (tests call these directly, not through Prism) --

    def add_repo(self, full_name: str, remote: Path) -> RepoState:
        owner, name = full_name.split("/")
        state = RepoState(owner, name, remote)
        with self.lock:
            self.repos[full_name] = state
        return state

    def start(self) -> str:
        standin = self

        class Handler(_Handler):
            owner = standin

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    # -- the endpoints --

    def handle(
        self, method: str, path: str, query: dict[str, str], body
    ) -> tuple[int, object, dict[str, str]]:
        match = re.fullmatch(r"/repos/([^/]+)/([^/]+)(/.*)", path)
        repo = self.repos.get(f"{match[1]}/{match[2]}") if match else None
        if repo is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
        rest = match[3]
        with self.lock:
            if rest == "/pulls" and method == "GET":
                return self._list(repo, query)
            if rest == "/pulls" and method == "POST":
                return self._create(repo, body)
            if (m := re.fullmatch(r"/pulls/(\d+)", rest)) and method == "PATCH":
                return self._update(repo, int(m[1]), body)
            if (m := re.fullmatch(r"/issues/(\d+)/labels", rest)) and method == "POST":
                return self._add_labels(repo, int(m[1]), body)
            if (
                m := re.fullmatch(r"/issues/(\d+)/comments", rest)
            ) and method == "POST":
                return self._comment_on(repo, int(m[1]), body)
        return 404, {"message": "Not Found", "documentation_url": DOCS}, {}

    def _list(self, repo: RepoState, query: dict[str, str]):
        state = query.get("state", "open")
        pulls = [p for p in repo.pulls.values() if state == "all" or p.state == state]
        if "head" in query:
            pulls = [p for p in pulls if f"{repo.owner}:{p.head}" == query["head"]]
        if "base" in query:
            pulls = [p for p in pulls if p.base == query["base"]]
        per_page = int(query.get("per_page", 30))
        page = int(query.get("page", 1))
        chunk = pulls[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(pulls):
            headers["Link"] = (
                f'</repos/{repo.owner}/{repo.name}/pulls?state={state}&per_page={per_page}&page={page + 1}>; rel="next"'
            )
        return 200, [self._render(repo, p, self._simple) for p in chunk], headers

    def _create(self, repo: RepoState, body: dict):
        if not repo.actions_may_create_pulls:
            message = (
                "GitHub Actions is not permitted to create or approve pull requests."
            )
            return 403, {"message": message, "documentation_url": DOCS}, {}
        head, base = body["head"], body["base"]
        if not _branch_exists(repo.remote, head) or not _branch_exists(
            repo.remote, base
        ):
            return (
                422,
                _invalid(
                    "PullRequest",
                    "head" if not _branch_exists(repo.remote, head) else "base",
                    "invalid",
                ),
                {},
            )
        if repo.open_pull_for(head):
            message = f"A pull request already exists for {repo.owner}:{head}."
            return (
                422,
                {
                    "message": "Validation Failed",
                    "errors": [
                        {
                            "resource": "PullRequest",
                            "code": "custom",
                            "message": message,
                        }
                    ],
                    "documentation_url": DOCS,
                },
                {},
            )
        pull = Pull(repo.next_number, body["title"], body.get("body") or "", head, base)
        repo.pulls[pull.number] = pull
        repo.next_number += 1
        return (
            201,
            self._render(repo, pull, self._pull),
            {"Location": f"{self._api(repo)}/pulls/{pull.number}"},
        )

    def _update(self, repo: RepoState, number: int, body: dict):
        pull = repo.pulls.get(number)
        if pull is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
        for key in ("title", "body", "state"):
            if key in body:
                setattr(pull, key, body[key])
        return 200, self._render(repo, pull, self._pull), {}

    def _add_labels(self, repo: RepoState, number: int, body):
        pull = repo.pulls.get(number)
        if pull is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
        names = body["labels"] if isinstance(body, dict) else body
        for name in names:
            if name not in pull.labels:
                pull.labels.append(name)
        return 200, [self._label_json(repo, name) for name in pull.labels], {}

    def _comment_on(self, repo: RepoState, number: int, body: dict):
        pull = repo.pulls.get(number)
        if pull is None:
            return 404, {"message": "Not Found", "documentation_url": DOCS}, {}
        pull.comments.append(body["body"])
        comment = copy.deepcopy(self._comment)
        comment.update(
            id=len(pull.comments),
            body=body["body"],
            issue_url=f"{self._api(repo)}/issues/{number}",
        )
        return 201, comment, {}

    # -- answers built from GitHub's examples --

    def _api(self, repo: RepoState) -> str:
        return f"https://api.github.com/repos/{repo.owner}/{repo.name}"

    def _render(self, repo: RepoState, pull: Pull, example: dict) -> dict:
        data = copy.deepcopy(example)
        api = self._api(repo)
        data.update(
            id=1000 + pull.number,
            number=pull.number,
            title=pull.title,
            body=pull.body,
            state=pull.state,
            url=f"{api}/pulls/{pull.number}",
            html_url=f"https://github.com/{repo.owner}/{repo.name}/pull/{pull.number}",
            labels=[self._label_json(repo, name) for name in pull.labels],
            # GitHub's own example lacks the team `type` its schema requires.
            requested_teams=[],
            merged_at="2026-01-01T00:00:00Z" if pull.merged else None,
            closed_at=None if pull.state == "open" else "2026-01-01T00:00:00Z",
        )
        if "merged" in data:  # only the full pull request has these
            data.update(merged=pull.merged, merge_commit_sha=None, merged_by=None)
        for side, ref in (("head", pull.head), ("base", pull.base)):
            part = data[side]
            part["ref"] = ref
            part["label"] = f"{repo.owner}:{ref}"
            part["sha"] = _branch_sha(repo.remote, ref) or "0" * 40
            part["repo"].update(name=repo.name, full_name=f"{repo.owner}/{repo.name}")
            part["repo"]["owner"]["login"] = repo.owner
        return data

    def _label_json(self, repo: RepoState, name: str) -> dict:
        label = copy.deepcopy(self._label)
        label.update(name=name, url=f"{self._api(repo)}/labels/{name}", default=False)
        return label


def _invalid(resource: str, field_name: str, code: str) -> dict:
    return {
        "message": "Validation Failed",
        "errors": [{"resource": resource, "field": field_name, "code": code}],
        "documentation_url": DOCS,
    }


def _branch_sha(remote: Path, branch: str) -> str | None:
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
        cwd=remote,
        capture_output=True,
        text=True,
    )
    return proc.stdout.strip() or None


def _branch_exists(remote: Path, branch: str) -> bool:
    return _branch_sha(remote, branch) is not None


class _Handler(BaseHTTPRequestHandler):
    owner: GitHubStandIn
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        status, payload, headers = self.owner.handle(
            self.command, url.path, query, body
        )
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PATCH = _serve

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass
