"""sequential-awaits on HTTP requests: awaits on an `httpx.AsyncClient` or an
`aiohttp.ClientSession` the function shows to be one (golden cases: http_gets_gathered
and the trap_http_* traps)."""

from __future__ import annotations

import ast

import pytest
from test_sequential_awaits import HEAD, scan

from n1fix.rules.sequential_awaits.rule import SequentialAwaits


def found(tmp_path, source: str) -> list[tuple[int, str]]:
    return [(f.line, f.applicability.value) for f in scan(tmp_path, source)]


def test_gets_on_an_aiohttp_session_opened_by_async_with_are_an_unsafe_gather(
    tmp_path,
):
    # Named `session`, yet an HTTP client: it serves concurrent requests.
    source = (
        "import aiohttp\n\n\n"
        "async def f(base):\n"
        "    async with aiohttp.ClientSession(base) as session:\n"
        "        a = await session.get('/a')\n"
        "        b = await session.get('/b')\n"
        "    return a, b\n"
    )
    findings = scan(tmp_path, source)
    assert [(f.line, f.applicability.value) for f in findings] == [(6, "unsafe")]
    assert "the HTTP client `session`" in findings[0].message


def test_a_client_assigned_from_its_constructor_counts(tmp_path):
    source = (
        "from httpx import AsyncClient\n\n\n"
        "async def f():\n"
        "    client = AsyncClient()\n"
        "    a = await client.get('/a')\n"
        "    b = await client.head('/b')\n"
        "    return a, b\n"
    )
    assert found(tmp_path, source) == [(6, "unsafe")]


def test_a_get_beside_a_read_on_a_session_of_its_own_is_gathered(tmp_path):
    source = (
        "import httpx\n" + HEAD + "async def f(client: httpx.AsyncClient, uid):\n"
        "    a = await AuthDAL.own(uid)\n"
        "    b = await client.get('/b')\n"
        "    return a, b\n"
    )
    findings = scan(tmp_path, source)
    assert [(f.line, f.applicability.value) for f in findings] == [(6, "unsafe")]
    assert "HTTP client `client`" in findings[0].message


@pytest.mark.parametrize(
    "setup, body",
    [
        # Bound to something else too: not proven a client (`get` may be anything).
        (
            "    client = make()\n",
            "    a = await client.get('/a')\n    b = await client.get('/b')\n",
        ),
        # Annotated as a client of a library n1fix does not know.
        (
            "    client: Client = make()\n",
            "    a = await client.get('/a')\n    b = await client.get('/b')\n",
        ),
        # Also a loop target: not every binding is a client.
        (
            "    for client in make():\n        pass\n    client = httpx.AsyncClient()\n",
            "    a = await client.get('/a')\n    b = await client.get('/b')\n",
        ),
        # A parameter of unknown type rebound to a client inside.
        (
            "",
            "    async with httpx.AsyncClient() as make:\n"
            "        a = await make.get('/a')\n        b = await make.get('/b')\n",
        ),
        # A POST between: it may change what the GET after it sees.
        (
            "",
            "    a = await http.get('/a')\n    await http.post('/n', json={})\n"
            "    b = await http.get('/b')\n",
        ),
        # A gate between (raise_for_status) ends the run.
        (
            "",
            "    a = await http.get('/a')\n    a.raise_for_status()\n"
            "    b = await http.get('/b')\n",
        ),
        # The second URL is built from the first response.
        (
            "",
            "    a = await http.get('/a')\n    b = await http.get(a.json()['next'])\n",
        ),
    ],
)
def test_requests_that_are_not_proven_independent_are_not_reported(
    tmp_path, setup, body
):
    source = (
        "import httpx\n\n\n"
        "async def f(http: httpx.AsyncClient, make, Client):\n"
        + setup
        + body
        + "    return a, b\n"
    )
    assert found(tmp_path, source) == []


def test_the_gate_lets_request_methods_through_only_beside_an_http_import():
    body = (
        "async def f(client, url):\n"
        "    a = await client.head(url)\n"
        "    b = await client.options(url)\n"
    )
    rule = SequentialAwaits()
    with_import = "import httpx\n\n\n" + body
    assert rule.gate(ast.parse(with_import), with_import)
    assert not rule.gate(ast.parse(body), body)


@pytest.mark.parametrize(
    "declared",
    [
        "    client: httpx.AsyncClient\n\n"
        "    def __init__(self, client):\n        self.client = client\n",
        "    def __init__(self):\n"
        "        self.client: httpx.AsyncClient = httpx.AsyncClient()\n",
    ],
)
def test_an_attribute_the_class_annotates_as_a_client_counts(tmp_path, declared):
    source = (
        "import httpx\n\n\n"
        "class Api:\n" + declared + "\n    async def card(self, url):\n"
        "        a = await self.client.get(url)\n"
        "        b = await self.client.get(url)\n"
        "        return a, b\n"
    )
    findings = scan(tmp_path, source)
    assert [f.applicability.value for f in findings] == ["unsafe"]
    assert "the HTTP client `self.client`" in findings[0].message


def test_an_attribute_annotated_otherwise_is_not_a_client(tmp_path):
    source = (
        "import httpx\n\n\n"
        "class Api:\n"
        "    client: Other\n\n"
        "    async def card(self, url):\n"
        "        a = await self.client.get(url)\n"
        "        b = await self.client.get(url)\n"
        "        return a, b\n"
    )
    assert found(tmp_path, source) == []
