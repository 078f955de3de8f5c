"""The few GitHub REST endpoints the bot needs, over httpx, with small typed models.

Why not a client library: the bot uses five endpoints. githubkit (typed, generated from
GitHub's OpenAPI description) was the first choice, but its current release (0.16.1)
fails on import with the hishel 2.0.0 its own pins allow, which is exactly what a clean
CI install resolves to; PyGithub brings requests, PyNaCl and PyJWT[crypto] and fetches
objects lazily (extra requests the bot cannot see); ghapi's methods are generated at run
time, with no types. httpx is one well-kept dependency, and owning the requests keeps
the token in exactly one place: the Authorization header.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import quote

import httpx

DEFAULT_API_URL = "https://api.github.com"
API_VERSION = "2022-11-28"


class GitHubError(Exception):
    """A request GitHub refused. The message names the method, path, status and GitHub's
    message; never a header (the token is in one)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class MissingToken(Exception):
    pass


class InvalidToken(MissingToken):
    """The token has a character no header may carry; the message never shows the token."""


def secret_forms(token: str) -> list[str]:
    """Every way a library may write `token` into a message: as is, escaped as in a
    Python string or bytes literal (an HTTP library quoting the header it refused), in
    JSON, percent-encoded, in base64 (basic authentication), and each of its lines."""
    import base64
    import json
    from urllib.parse import quote, quote_plus

    raw = token.encode("utf-8", "surrogateescape")
    forms = {
        token,
        repr(token)[1:-1],
        repr(raw)[2:-1],
        json.dumps(token)[1:-1],
        json.dumps(token, ensure_ascii=False)[1:-1],
        quote(raw, safe=""),
        quote_plus(raw),
        base64.b64encode(raw).decode(),
        base64.b64encode(b"x-access-token:" + raw).decode(),
        *(line for line in token.splitlines() if len(line) >= 8),
    }
    return sorted((form for form in forms if form), key=len, reverse=True)


def mask(text: str, forms: list[str]) -> str:
    for form in forms:
        text = text.replace(form, "***")
    return text


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    body: str
    state: str
    head_ref: str
    head_repo: str | None  # owner/name the head branch lives in (None: deleted fork)
    base_ref: str
    html_url: str
    merged: bool

    @classmethod
    def from_json(cls, data: dict) -> PullRequest:
        head_repo = data["head"].get("repo") or {}
        return cls(
            number=data["number"],
            title=data["title"],
            body=data.get("body") or "",
            state=data["state"],
            head_ref=data["head"]["ref"],
            head_repo=head_repo.get("full_name"),
            base_ref=data["base"]["ref"],
            html_url=data["html_url"],
            merged=data.get("merged_at") is not None,
        )


def token_from_env() -> str:
    token = os.environ.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise MissingToken(
            "GITHUB_TOKEN is not set: the bot needs a token to open pull requests"
        )
    # GitHub's tokens are printable ASCII; a newline or other control character (a token
    # pasted with a line break, read from a file with CRLF) would be refused by the HTTP
    # library in an error that quotes the whole header.
    bad = [char for char in token if not ("!" <= char <= "~")]
    if bad:
        kinds = sorted(
            {
                "a control character (newline, carriage return, tab...)"
                if ord(c) < 32 or ord(c) == 127
                else "a space"
                if c == " "
                else "a non-ASCII character"
                for c in bad
            }
        )
        raise InvalidToken(
            f"GITHUB_TOKEN has {' and '.join(kinds)} at position {token.index(bad[0]) + 1} of {len(token)}: "
            "a token is printable ASCII; check how it was set (it is not shown here)"
        )
    return token


def api_url_from(option: str | None) -> str:
    return (option or os.environ.get("GITHUB_API_URL") or DEFAULT_API_URL).rstrip("/")


class GitHub:
    """One repository's pull requests, issues' labels and comments."""

    def __init__(
        self, api_url: str, token: str, repo: str, timeout: float = 30.0
    ) -> None:
        owner, _, name = repo.partition("/")
        self.repo = repo
        self._prefix = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"
        self._secrets = secret_forms(token)
        self._origin = _origin(httpx.URL(api_url))
        self._http = httpx.Client(
            base_url=api_url,
            timeout=timeout,
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "User-Agent": "n1fix-bot",
                "Authorization": f"Bearer {token}",
            },
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GitHub:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def open_pulls(self) -> list[PullRequest]:
        """Every open pull request of the repository (all pages)."""
        pulls: list[PullRequest] = []
        url: str | None = f"{self._prefix}/pulls"
        params: dict | None = {"state": "open", "per_page": 100}
        while url:
            response = self._request("GET", url, params=params)
            pulls.extend(PullRequest.from_json(item) for item in response.json())
            url = self._same_origin(response.links.get("next", {}).get("url"))
            params = None  # the next link carries them
        return pulls

    def closed_pulls(self, branch: str) -> list[PullRequest]:
        """The most recent closed pull requests from `branch` of this repository."""
        owner = self.repo.partition("/")[0]
        params = {"state": "closed", "head": f"{owner}:{branch}", "per_page": 30}
        return [
            PullRequest.from_json(item)
            for item in self._request(
                "GET", f"{self._prefix}/pulls", params=params
            ).json()
        ]

    def create_pull(
        self, *, title: str, head: str, base: str, body: str
    ) -> PullRequest:
        data = {
            "title": title,
            "head": head,
            "base": base,
            "body": body,
            "maintainer_can_modify": True,
        }
        return PullRequest.from_json(
            self._request("POST", f"{self._prefix}/pulls", json=data).json()
        )

    def update_pull(self, number: int, **fields: str) -> PullRequest:
        """Change `title`, `body` or `state` ("open"/"closed")."""
        return PullRequest.from_json(
            self._request("PATCH", f"{self._prefix}/pulls/{number}", json=fields).json()
        )

    def add_labels(self, number: int, labels: list[str]) -> None:
        # Pull requests are issues for labels; GitHub creates a label that does not exist yet.
        self._request(
            "POST", f"{self._prefix}/issues/{number}/labels", json={"labels": labels}
        )

    def comment(self, number: int, body: str) -> None:
        self._request(
            "POST", f"{self._prefix}/issues/{number}/comments", json={"body": body}
        )

    def _same_origin(self, url: str | None) -> str | None:
        """A pagination link, only when it stays on the API's scheme, host and port: the
        token goes with every request, and a link is whatever the server answered."""
        if not url:
            return None
        target = self._http.base_url.join(url)
        if _origin(target) != self._origin:
            raise GitHubError(
                f"GET {_path(url)}: the next page is on another server ({target.scheme}://{target.host}"
                f"{':' + str(target.port) if target.port else ''}); not following it with the token"
            )
        return str(target)

    def _request(self, method: str, url: str, **kwargs) -> httpx.Response:
        try:
            response = self._http.request(method, url, **kwargs)
        except Exception as error:  # noqa: BLE001 - httpx's errors, and the ValueErrors of a refused header
            raise GitHubError(
                mask(
                    f"{method} {_path(url)}: {type(error).__name__}: {error}",
                    self._secrets,
                )
            ) from None
        if response.is_success:
            return response
        raise GitHubError(
            mask(
                f"{method} {_path(url)} answered {response.status_code}: {_reason(response)}",
                self._secrets,
            ),
            response.status_code,
        )


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def _path(url: str) -> str:
    try:
        return httpx.URL(url).path
    except Exception:  # noqa: BLE001 - a message must not fail on the URL it names
        return "?"


def _reason(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.reason_phrase or "no reason given"
    if not isinstance(data, dict):
        return response.reason_phrase
    parts = [str(data.get("message") or data.get("title") or response.reason_phrase)]
    for error in (
        data.get("validation") or []
    ):  # Prism's answer to a request off GitHub's schema
        if isinstance(error, dict):
            parts.append(str(error.get("message")))
    for error in data.get("errors") or []:
        if isinstance(error, dict):
            parts.append(
                str(error.get("message") or f"{error.get('field')} {error.get('code')}")
            )
    return "; ".join(parts)
