"""The bot's parts on their own: grouping, branch names, the body's numbers, the client."""

from __future__ import annotations

import json
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from bot_support import GIT_ID, TOKEN, git
from github_standin import Pull

from n1fix.bot.body import pull_body, reproduce_command, round_trips
from n1fix.bot.edits import Edit
from n1fix.bot.git import Author
from n1fix.bot.github import GitHub, GitHubError, api_url_from
from n1fix.bot.grouping import group_all, group_by_file, group_by_rule
from n1fix.bot.orchestrate import BotOptions, run_bot
from n1fix.rules.base import Applicability, Finding, Severity


def finding(
    path: str,
    rule: str = "query-in-loop",
    message: str = "`Render` is queried once per item (1 + N round trips)",
    **kw,
) -> Finding:
    return Finding(
        rule,
        path,
        3,
        5,
        3,
        20,
        message,
        Severity.HIGH,
        kw.pop("applicability", Applicability.SAFE),
        **kw,
    )


def edit(*paths: str, rule: str = "query-in-loop") -> Edit:
    return Edit({p: b"x = 1\n" for p in paths}, tuple(finding(p, rule) for p in paths))


def test_groups_and_their_branches():
    assert [
        g.branch
        for g in group_by_rule(
            {"query-in-loop": [edit("a.py")], "write-in-loop": [], "x": [edit("b.py")]}
        )
    ] == [
        "n1fix/query-in-loop",
        "n1fix/x",
    ]
    by_file = group_by_file(
        [edit("app/.hidden/v1.lock"), edit("app/my file.py"), edit("app/my?file.py")]
    )
    assert [g.branch for g in by_file] == [
        "n1fix/file/app/hidden/v1-lock",
        "n1fix/file/app/my-file.py",
        "n1fix/file/app/my-file.py-2",
    ]
    for group in by_file:
        assert (
            subprocess.run(
                ["git", "check-ref-format", "--branch", group.branch],
                capture_output=True,
            ).returncode
            == 0
        )
    # An edit spanning two files goes with its first file, whole.
    assert [g.paths for g in group_by_file([edit("b.py", "a.py")])] == [
        ["a.py", "b.py"]
    ]
    assert [g.branch for g in group_all([edit("a.py"), edit("b.py")])] == ["n1fix/all"]
    assert group_all([]) == []


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("queried once per item of `xs` (1 + N round trips); fix: ...", "1 + N → 2"),
        ("(N round trips)", "N → 1"),
        ("(1 + 2N round trips)", "1 + 2N → 3"),
        ("(N x M round trips)", "N x M"),
        ("no count in this message", "fewer"),
    ],
)
def test_round_trips_before_and_after(message, expected):
    assert round_trips(finding("a.py", message=message)) == expected


def test_body_lists_each_change_and_escapes_table_cells():
    group = group_by_rule({"query-in-loop": [edit("app/a.py")]})[0]
    unsafe = finding(
        "app/b.py",
        message="a | b\nc (N round trips)",
        applicability=Applicability.UNSAFE,
        fix_note="order not deterministic",
    )
    group = type(group)(
        group.by,
        group.key,
        group.branch,
        (*group.edits, Edit({"app/b.py": b""}, (unsafe,))),
    )
    text = pull_body(group, base="main", paths=["app"], unsafe_fixes=True)
    assert (
        "| `app/a.py:3` | `query-in-loop` | `Render` is queried once per item (1 + N round trips) | 1 + N → 2 | safe |"
        in text
    )
    assert (
        "| `app/b.py:3` | `query-in-loop` | a \\| b c (N round trips) | N → 1 | unsafe |"
        in text
    )
    assert "- `app/b.py:3`: order not deterministic" in text
    assert "n1fix apply --dry-run --select query-in-loop --unsafe-fixes app" in text
    by_file = group_by_file([edit("my app/a.py")])[0]
    assert (
        reproduce_command(by_file, paths=["."], unsafe_fixes=False)
        == "n1fix apply --dry-run 'my app/a.py'"
    )


def test_author_and_api_url(monkeypatch):
    assert Author.parse("Bot Person <bot@example.com>") == Author(
        "Bot Person", "bot@example.com"
    )
    with pytest.raises(ValueError):
        Author.parse("bot@example.com")
    monkeypatch.setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3/")
    assert api_url_from(None) == "https://ghe.example.com/api/v3"
    assert api_url_from("https://other/api") == "https://other/api"
    monkeypatch.delenv("GITHUB_API_URL")
    assert api_url_from(None) == "https://api.github.com"


def test_open_pulls_follows_every_page(github_api, tmp_path):
    remote = tmp_path / "r.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    state = github_api.standin.add_repo("acme/many-pulls", remote)
    for n in range(1, 131):
        state.pulls[n] = Pull(n, f"t{n}", "", f"n1fix/file/f{n}.py", "main")
    state.pulls[131] = Pull(131, "closed", "", "n1fix/x", "main", state="closed")
    with GitHub(github_api.url, TOKEN, "acme/many-pulls") as client:
        pulls = client.open_pulls()
    assert [p.number for p in pulls] == list(range(1, 131))
    exchanges = [
        e
        for e in github_api.front.exchanges
        if e.path.startswith("/repos/acme/many-pulls/")
    ]
    assert len(exchanges) == 2 and all(
        e.status == 200 and not e.violations for e in exchanges
    )


class _EchoHandler(BaseHTTPRequestHandler):
    """A misbehaving server that echoes the Authorization header in its error."""

    def do_GET(self):
        data = json.dumps(
            {"message": f"bad credentials: {self.headers.get('Authorization')}"}
        ).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_token_is_never_printed_even_when_an_error_repeats_it(tmp_path, monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with GitHub(
            f"http://127.0.0.1:{server.server_address[1]}", TOKEN, "acme/x"
        ) as client:
            with pytest.raises(GitHubError, match="answered 401") as raised:
                client.open_pulls()
        # The server did repeat it; the client masks it in its own errors already ...
        assert TOKEN not in str(raised.value) and "Bearer ***" in str(raised.value)

        remote, work = tmp_path / "r.git", tmp_path / "w"
        git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
        git(tmp_path, "init", "-q", "-b", "main", str(work))
        (work / "a.py").write_text("x = 1\n")
        git(work, "add", "a.py")
        git(work, "commit", "-qm", "a")
        git(work, "push", "-q", str(remote), "main")
        git(work, "remote", "add", "origin", str(remote))
        monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
        for key, value in GIT_ID.items():
            monkeypatch.setenv(key, value)
        lines: list[str] = []
        options = BotOptions(
            repo="acme/x",
            cwd=work,
            api_url=f"http://127.0.0.1:{server.server_address[1]}",
        )
        assert run_bot(options, lines.append) == 2
        output = "\n".join(lines)
        assert (
            "answered 401: bad credentials: Bearer ***" in output
        )  # ... and the bot masked it
        assert TOKEN not in output
    finally:
        server.shutdown()
        server.server_close()


def test_paths_outside_the_checkout_are_refused(tmp_path, monkeypatch):
    work = tmp_path / "w"
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    with pytest.raises(ValueError, match="outside the git checkout"):
        run_bot(
            BotOptions(repo="acme/x", cwd=work, paths=[Path("..")]), lambda line: None
        )


@pytest.mark.parametrize("bad", ["\n", "\r", "\r\n", "\t", "\x7f", " ", "é"])
def test_token_with_a_character_no_header_may_carry_is_refused_unshown(
    tmp_path, monkeypatch, bad
):
    token = TOKEN[:20] + bad + TOKEN[20:]
    monkeypatch.setenv("GITHUB_TOKEN", token)
    work = tmp_path / "w"
    git(tmp_path, "init", "-q", "-b", "main", str(work))
    for dry_run in (False, True):
        lines: list[str] = []
        assert (
            run_bot(BotOptions(repo="acme/x", cwd=work, dry_run=dry_run), lines.append)
            == 2
        )
        [line] = lines
        assert (
            line.startswith("n1fix bot: error: GITHUB_TOKEN has ")
            and "position 21" in line
        ), line
        assert TOKEN[:20] not in line and TOKEN[20:] not in line


def test_token_with_a_newline_is_masked_in_the_http_librarys_error():
    # Past the check (a client made directly): httpx refuses the header and quotes it.
    server = _serve(_EchoHandler)
    try:
        for bad in ("\n", "\r"):
            token = TOKEN[:20] + bad + TOKEN[20:]
            with GitHub(
                f"http://127.0.0.1:{server.server_address[1]}", token, "acme/x"
            ) as client:
                with pytest.raises(GitHubError, match="Illegal header value") as raised:
                    client.open_pulls()
            message = str(raised.value)
            assert TOKEN[:20] not in message and TOKEN[20:] not in message, message
            assert "***" in message
    finally:
        server.shutdown()
        server.server_close()


def test_every_form_of_the_token_is_masked():
    import base64
    from urllib.parse import quote

    from n1fix.bot.orchestrate import Output

    token = TOKEN[:20] + "\r\n" + TOKEN[20:]
    say = Output(lambda line: None, token)
    for form in (
        token,
        repr(token),
        repr(token.encode()),
        json.dumps(token),
        quote(token, safe=""),
        base64.b64encode(token.encode()).decode(),
        base64.b64encode(b"x-access-token:" + token.encode()).decode(),
    ):
        shown = say.redact(f"error: {form} refused")
        assert TOKEN[:20] not in shown and TOKEN[20:] not in shown, (form, shown)
        assert "***" in shown


class _ElsewhereHandler(BaseHTTPRequestHandler):
    """A server whose pagination link names another host (where the token must not go)."""

    requests: list[tuple[str, str | None]] = []
    next_link = ""

    def do_GET(self):
        type(self).requests.append((self.path, self.headers.get("Authorization")))
        data = json.dumps([]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if self.path.startswith("/repos/"):
            self.send_header("Link", f'<{type(self).next_link}>; rel="next"')
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def _serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.parametrize("where", ["host", "port", "scheme"])
def test_pagination_to_another_server_is_not_followed(where):
    api, other = _serve(_ElsewhereHandler), _serve(_ElsewhereHandler)
    api_port, other_port = api.server_address[1], other.server_address[1]
    _ElsewhereHandler.requests = []
    _ElsewhereHandler.next_link = {
        "host": f"http://localhost:{api_port}/steal?page=2",
        "port": f"http://127.0.0.1:{other_port}/steal?page=2",
        "scheme": f"https://127.0.0.1:{api_port}/steal?page=2",
    }[where]
    try:
        with GitHub(f"http://127.0.0.1:{api_port}", TOKEN, "acme/x") as client:
            with pytest.raises(
                GitHubError, match="the next page is on another server"
            ) as raised:
                client.open_pulls()
        assert TOKEN not in str(raised.value)
        assert [path for path, _ in _ElsewhereHandler.requests] == [
            "/repos/acme/x/pulls?state=open&per_page=100"
        ]
    finally:
        for server in (api, other):
            server.shutdown()
            server.server_close()


def test_pagination_on_the_same_server_is_followed():
    api = _serve(_ElsewhereHandler)
    port = api.server_address[1]
    _ElsewhereHandler.requests = []
    _ElsewhereHandler.next_link = (
        f"http://127.0.0.1:{port}/next-page"  # answers without a next link
    )
    try:
        with GitHub(f"http://127.0.0.1:{port}", TOKEN, "acme/x") as client:
            assert client.open_pulls() == []
        assert _ElsewhereHandler.requests == [
            ("/repos/acme/x/pulls?state=open&per_page=100", f"Bearer {TOKEN}"),
            ("/next-page", f"Bearer {TOKEN}"),
        ]
    finally:
        api.shutdown()
        api.server_close()
