"""Run the render service against a fresh SQLite database and count SQL round trips.

    python examples/renderservice/demo.py            # results, then round trips per call
    python examples/renderservice/demo.py --db x.db  # keep the database file

Every service call runs in its own session, so nothing is served from an earlier call's
identity map. Round trips are the statements sent to the database, counted with
SQLAlchemy's `before_cursor_execute` event on both engines. Run it before and after
`n1fix apply` on a copy of this folder: the results must be identical, the round trips fewer.
"""

from __future__ import annotations

import argparse
import contextlib
import asyncio
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from sqlalchemy import event, select  # noqa: E402

from app import db  # noqa: E402
from app.models import (  # noqa: E402
    GalleryItem,
    Project,
    Render,
    RenderChain,
    Subscription,
    SubscriptionPlan,
    User,
    UserCredits,
)
from app.services import admin, chains, dashboard, gallery, profile, reports  # noqa: E402

T0 = datetime(2024, 5, 1, 9, 0)
NOW = datetime(2024, 6, 1, 0, 0)


class RoundTrips:
    """Counts statements sent through either engine."""

    def __init__(self) -> None:
        self.total = 0
        self.steps: list[tuple[str, int]] = []

    def attach(self, *engines: object) -> None:
        for engine in engines:
            event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *args: object) -> None:
        self.total += 1

    @contextmanager
    def measure(self, label: str) -> Iterator[None]:
        start = self.total
        yield
        self.steps.append((label, self.total - start))


# --- seed ---------------------------------------------------------------------------------

# user -> renders per project (0 = an empty project); Dev has no projects at all.
PROJECTS = {
    "ana": [7, 2, 0, 9, 5, 3],
    "ben": [6, 0, 4],
    "cleo": [5],
    "dev": [],
}
PLANS = [("free", 50, 0), ("pro", 500, 1200), ("studio", 2000, 4900)]
SUBSCRIPTIONS = [("ana", "pro", "active"), ("ben", "pro", "canceled"), ("ben", "studio", "active"), ("cleo", "free", "active")]
CREDITS = {"ana": (120, NOW - timedelta(days=1)), "ben": (900, NOW - timedelta(hours=2)), "cleo": (10, NOW + timedelta(days=9))}
STATUSES = ["done", "done", "done", "failed", "queued"]


def seed(session) -> None:
    rng = random.Random(20240501)
    plans = {name: SubscriptionPlan(name=name, monthly_credits=credits, price_cents=price) for name, credits, price in PLANS}
    session.add_all(plans.values())
    users = {}
    for i, handle in enumerate(PROJECTS):
        users[handle] = User(email=f"{handle}@example.com", display_name=handle.capitalize(), created_at=T0 + timedelta(days=i))
    session.add_all(users.values())
    for handle, plan, status in SUBSCRIPTIONS:
        session.add(Subscription(user=users[handle], plan=plans[plan], status=status, current_period_end=NOW + timedelta(days=14)))
    for handle, (balance, reset_at) in CREDITS.items():
        session.add(UserCredits(user=users[handle], balance=balance, reset_at=reset_at))
    session.flush()

    minute = 0
    for handle, render_counts in PROJECTS.items():
        user = users[handle]
        for p, count in enumerate(render_counts):
            project = Project(user=user, name=f"{handle}-{p + 1}", created_at=T0 + timedelta(days=p, hours=len(handle)))
            session.add(project)
            session.flush()
            chain_list = []
            if count >= 4:
                chain_list = [
                    RenderChain(project=project, name=f"{project.name}/chain-{c + 1}", created_at=project.created_at)
                    for c in range(1 + count // 5)
                ]
                session.add_all(chain_list)
                session.flush()
            previous = None
            for r in range(count):
                minute += rng.choice([0, 1, 3])  # 0: ties on created_at, broken by id
                render = Render(
                    project=project,
                    user=user,
                    prompt=f"{project.name} render {r + 1}",
                    status=rng.choice(STATUSES),
                    created_at=T0 + timedelta(minutes=minute),
                    parent_render_id=previous.id if previous is not None and r % 3 == 2 else None,
                )
                if chain_list and r % 4 != 3:
                    chain = chain_list[r % len(chain_list)]
                    render.chain = chain
                    render.chain_position = r
                session.add(render)
                session.flush()
                if r % 5 == 4:
                    render.reference_render_id = previous.id
                if r % 3 == 0:
                    session.add(
                        GalleryItem(
                            render=render,
                            title=f"{render.prompt} (gallery)",
                            is_public=r % 2 == 0,
                            published_at=render.created_at + timedelta(hours=1),
                        )
                    )
                previous = render
    session.commit()


# --- the tour -----------------------------------------------------------------------------


def show_cards(cards: list[dashboard.ProjectCard]) -> list[str]:
    return [
        f"{card.project.name}: {card.render_count} renders, latest {[render.id for render in card.latest_renders]}"
        for card in cards
    ]


def show_dashboard(result: dict[int, tuple[list[Render], int]]) -> list[str]:
    return [f"project {pid}: {count} renders, latest {[r.id for r in latest]}" for pid, (latest, count) in result.items()]


def user_ids(rows) -> dict[str, int]:
    return {email.split("@")[0]: uid for email, uid in rows}


def run_sync_steps(counter: RoundTrips, out: Callable[[str], None]) -> None:
    with db.SessionLocal() as session:
        ids = user_ids(session.execute(select(User.email, User.id)).all())
        busiest_project = session.scalar(select(Project.id).where(Project.name == "ana-4"))
        chained_project = session.scalar(select(Project.id).where(Project.name == "ben-1"))
        context_render = session.scalar(
            select(Render.id).where(Render.reference_render_id.is_not(None), Render.chain_id.is_not(None)).order_by(Render.id)
        )
        first_chain = session.scalar(select(RenderChain.id).where(RenderChain.project_id == chained_project).order_by(RenderChain.id))
        to_publish = session.scalars(
            select(Render.id).where(Render.project_id == busiest_project).order_by(Render.id).limit(3)
        ).all()

    def step(label: str, call: Callable, show: Callable[[object], list[str]]) -> None:
        with db.SessionLocal() as session, counter.measure(label):
            result = call(session)
        out(f"\n## {label}")
        for line in show(result):
            out(f"  {line}")

    for handle in ("ana", "ben", "dev"):
        step(f"dashboard.project_cards({handle})", lambda s, h=handle: dashboard.project_cards(s, ids[h]), show_cards)
    step("dashboard.dashboard_via_dal(ana)", lambda s: dashboard.dashboard_via_dal(s, ids["ana"]), show_dashboard)
    step("dashboard.dashboard_batched(ana)", lambda s: dashboard.dashboard_batched(s, ids["ana"]), show_dashboard)
    step("dashboard.profile_stats(ana)", lambda s: dashboard.profile_stats(s, ids["ana"]), lambda r: [repr(r)])
    step("gallery.public_feed()", gallery.public_feed, lambda r: [f"{e.gallery_item_id} {e.title!r} by {e.author}" for e in r])
    step(
        "gallery.gallery_by_render(renders of ana-4)",
        lambda s: gallery.gallery_by_render(s, gallery.renders_of_project(s, busiest_project)),
        lambda r: [f"render {rid}: {titles}" for rid, titles in r.items()],
    )
    step("gallery.public_counts_by_user()", gallery.public_counts_by_user, lambda r: [repr(r)])
    step("chains.chain_heads(ben-1)", lambda s: chains.chain_heads(s, chained_project), lambda r: [repr(h) for h in r])
    step(f"chains.render_with_context({context_render})", lambda s: chains.render_with_context(s, context_render), lambda r: [repr(r)])
    step("admin.users_overview()", admin.users_overview, lambda r: [f"{row.email}: {row.project_names}" for row in r])
    step("admin.most_active_per_plan()", admin.most_active_per_plan, lambda r: [repr(r)])
    step("reports.render_lines(ben-1)", lambda s: reports.render_lines(s, chained_project), lambda r: r)
    step("reports.render_ids_by_author(ana-4)", lambda s: reports.render_ids_by_author(s, busiest_project), lambda r: [repr(r)])
    # writes: the round trips here are what they must be (n1fix leaves these loops alone)
    step("gallery.publish_renders(3 renders)", lambda s: gallery.publish_renders(s, to_publish, "staff pick"), lambda r: [repr(r)])
    step(
        "chains.append_to_chain(2 prompts)",
        lambda s: chains.append_to_chain(s, first_chain, ["sunrise", "sunset"], ids["ben"]),
        lambda r: [repr(r)],
    )
    step(f"chains.delete_chain({first_chain})", lambda s: chains.delete_chain(s, first_chain), lambda r: [f"{r} renders detached"])
    step("reports.unpublish_project(ana-4)", lambda s: reports.unpublish_project(s, busiest_project), lambda r: [repr(r)])
    step("gallery.public_feed() after unpublishing", gallery.public_feed, lambda r: [f"{e.gallery_item_id} {e.title!r}" for e in r])
    step("admin.reset_due_credits()", lambda s: admin.reset_due_credits(s, NOW), lambda r: [repr(r)])
    step("chains.chain_heads(ben-1) after the delete", lambda s: chains.chain_heads(s, chained_project), lambda r: [repr(h) for h in r])


async def run_async_steps(counter: RoundTrips, out: Callable[[str], None]) -> None:
    async with db.AsyncSessionLocal() as session:
        ids = user_ids((await session.execute(select(User.email, User.id))).all())
    for handle in ("ana", "ben"):
        uid = ids[handle]
        label = f"dashboard.project_summaries({handle}) [async]"
        async with db.AsyncSessionLocal() as session:
            with counter.measure(label):
                summaries = await dashboard.project_summaries(session, uid)
        out(f"\n## {label}")
        for summary in summaries:
            out(f"  {summary.name}: {summary.statuses}")
    for handle in ("ana", "dev"):
        label = f"profile.profile_header({handle}) [async]"
        with counter.measure(label):
            header = await profile.profile_header(ids[handle])
        out(f"\n## {label}")
        out(f"  {header!r}")
    await db.async_engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="SQLite file to (re)create and keep (default: a temporary file)")
    parser.add_argument("--echo", action="store_true", help="log every SQL statement")
    parser.add_argument("--quiet", action="store_true", help="print only the round-trip table")
    parser.add_argument(
        "--trace", type=Path, help="also record the statements each line sent, for `n1fix audit --trace` (needs n1fix)"
    )
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="renderservice-") as tmp:
        path = args.db or Path(tmp) / "renderservice.db"
        if path.exists():
            path.unlink()
        engine, async_engine = db.configure(f"sqlite:///{path}", echo=args.echo)
        db.create_schema()
        with db.SessionLocal() as session:
            seed(session)

        counter = RoundTrips()
        counter.attach(engine, async_engine.sync_engine)
        out = (lambda line: None) if args.quiet else print
        out(f"# renderservice demo (SQLite: {path if args.db else 'temporary file'})")
        recording = contextlib.nullcontext()
        if args.trace:
            from n1fix.trace import record_round_trips

            recording = record_round_trips(args.trace, root=HERE)
        with recording:
            run_sync_steps(counter, out)
            asyncio.run(run_async_steps(counter, out))
        engine.dispose()

    width = max(len(label) for label, _ in counter.steps)
    print("\n# SQL round trips")
    for label, count in counter.steps:
        print(f"  {label:<{width}}  {count:>4}")
    print(f"  {'total':<{width}}  {sum(count for _, count in counter.steps):>4}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
