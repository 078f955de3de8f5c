"""renderservice: users render images inside projects, group renders into chains, publish
some of them to a public gallery, and pay for credits through subscriptions.

This is the demo application bundled with n1fix (see ../README.md). The N+1 query patterns in
`app.services` are there on purpose.
"""

__version__ = "0.1.0"
