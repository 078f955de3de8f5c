"""Async HTTP clients n1fix knows, and which of their request methods only read.

GET, HEAD and OPTIONS are idempotent: they leave the server as it was. Every other
method changes (or may change) what the server holds. No LibCST here: the gates read it.
"""

CLIENT_CLASSES = frozenset({"httpx.AsyncClient", "aiohttp.ClientSession"})
HTTP_MODULES = frozenset(name.partition(".")[0] for name in CLIENT_CLASSES)
READ_REQUESTS = frozenset({"get", "head", "options"})
WRITE_REQUESTS = frozenset(
    {"post", "put", "patch", "delete", "request", "send", "stream"}
)
REQUEST_METHODS = READ_REQUESTS | WRITE_REQUESTS
