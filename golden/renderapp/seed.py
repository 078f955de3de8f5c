"""Deterministic data for the golden scenarios.

What the scenarios lean on (ids are fixed):
- users 1-3 own projects; user 4 (Dev) owns nothing and has no credits row;
- projects 3 and 5 have no renders; project 1 has seven renders from two users (owner 1,
  collaborator 2), so per-user keys repeat and top-4 cuts a group;
- created_at ties everywhere (users 1/2, projects 1/2, renders 2/3, 1/4, 5/6/7, 8/9, 10/11,
  13/14, 16/17): only an ORDER BY that ends in the primary key is deterministic;
- id order is not time order (project 3 is Ana's oldest, render 1 is newer than 2 and 3),
  so a rewrite that loses an ORDER BY shows up;
- renders 1, 4, 6-9, 15-18 have chain_id NULL; project 4 has chains 1, 2 and 4, and chain 4
  has no renders;
- parent links form chains (2 -> 3 -> 5, 10 -> 11 -> 12, 8 -> 9, 16 -> 17); in chain 2 the
  positions run against id order (render 14 is step 1, render 13 step 2);
- gallery items: render 1 has three (one private), 10 has two, 5, 13 (private) and 16 one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from renderapp.models import (
    GalleryItem,
    Project,
    Render,
    RenderChain,
    Subscription,
    SubscriptionPlan,
    User,
    UserCredits,
)

BASE_TIME = datetime(2024, 3, 1, 9, 0, 0)


def at(minutes: int) -> datetime:
    return BASE_TIME + timedelta(minutes=minutes)


# id, project_id, user_id, chain_id, chain_position, parent, reference, status, minute
RENDERS = [
    (1, 1, 1, None, None, None, None, "done", 42),
    (2, 1, 1, 3, 1, None, None, "done", 41),
    (3, 1, 2, 3, 2, 2, None, "done", 41),
    (4, 1, 1, None, None, None, None, "failed", 42),
    (5, 1, 1, 3, 3, 3, 1, "done", 43),
    (6, 1, 2, None, None, None, None, "done", 43),
    (7, 1, 1, None, None, None, None, "queued", 43),
    (8, 2, 1, None, None, None, None, "done", 44),
    (9, 2, 1, None, None, 8, None, "done", 44),
    (10, 4, 2, 1, 1, None, None, "done", 50),
    (11, 4, 2, 1, 2, 10, None, "done", 50),
    (12, 4, 3, 1, 3, 11, None, "failed", 51),
    (13, 4, 2, 2, 2, None, 10, "done", 52),
    (14, 4, 2, 2, 1, None, None, "done", 52),
    (15, 4, 2, None, None, None, None, "queued", 53),
    (16, 6, 3, None, None, None, None, "done", 60),
    (17, 6, 3, None, None, 16, None, "done", 60),
    (18, 6, 3, None, None, None, None, "failed", 61),
]

PROMPTS = {
    1: "linen jacket, studio light",
    2: "linen jacket, sage colourway",
    3: "linen jacket, rust colourway",
    4: "linen jacket, night street",
    5: "linen jacket, final colourway",
    6: "model turnaround",
    7: "flat lay, top down",
    8: "monogram logo, serif",
    9: "monogram logo, serif, bolder",
    10: "harbour at dawn, wide",
    11: "harbour at dawn, closer",
    12: "harbour at dawn, boat",
    13: "alley chase, motion blur",
    14: "alley chase, rooftop",
    15: "credits background",
    16: "portrait, window light",
    17: "portrait, window light, warmer",
    18: "portrait, rim light",
}


def seed(session: Session) -> None:
    session.add_all(
        [
            User(id=1, email="ana@example.com", display_name="Ana Duarte", created_at=at(0)),
            User(id=2, email="ben@example.com", display_name="Ben Okafor", created_at=at(0)),
            User(id=3, email="chloe@example.com", display_name="Chloé Martin", created_at=at(5)),
            User(id=4, email="dev@example.com", display_name="Dev Patel", created_at=at(7)),
        ]
    )
    session.add_all(
        [
            Project(id=1, user_id=1, name="Spring lookbook", created_at=at(10)),
            Project(id=2, user_id=1, name="Logo ideas", created_at=at(10)),
            Project(id=3, user_id=1, name="Empty draft", created_at=at(9)),
            Project(id=4, user_id=2, name="Storyboard", created_at=at(15)),
            Project(id=5, user_id=2, name="Archive", created_at=at(16)),
            Project(id=6, user_id=3, name="Portraits", created_at=at(20)),
        ]
    )
    session.add_all(
        [
            RenderChain(id=1, project_id=4, name="Opening scene", created_at=at(30)),
            RenderChain(id=2, project_id=4, name="Chase", created_at=at(31)),
            RenderChain(id=3, project_id=1, name="Colourways", created_at=at(32)),
            RenderChain(id=4, project_id=4, name="Unused take", created_at=at(33)),
        ]
    )
    session.flush()
    for rid, project_id, user_id, chain_id, position, parent, reference, status, minute in RENDERS:
        session.add(
            Render(
                id=rid,
                project_id=project_id,
                user_id=user_id,
                chain_id=chain_id,
                chain_position=position,
                parent_render_id=parent,
                reference_render_id=reference,
                prompt=PROMPTS[rid],
                status=status,
                created_at=at(minute),
            )
        )
        # parents and references point backwards; flush each so the self-references hold
        session.flush()
    session.add_all(
        [
            GalleryItem(id=1, render_id=1, title="Studio jacket", is_public=True, published_at=at(70)),
            GalleryItem(id=2, render_id=1, title="Studio jacket (crop)", is_public=False, published_at=at(70)),
            GalleryItem(id=3, render_id=1, title="Studio jacket (wide)", is_public=True, published_at=at(71)),
            GalleryItem(id=4, render_id=5, title="Final colourway", is_public=True, published_at=at(72)),
            GalleryItem(id=5, render_id=10, title="Harbour", is_public=True, published_at=at(72)),
            GalleryItem(id=6, render_id=10, title="Harbour (print)", is_public=True, published_at=at(73)),
            GalleryItem(id=7, render_id=13, title="Chase draft", is_public=False, published_at=at(74)),
            GalleryItem(id=8, render_id=16, title="Window portrait", is_public=True, published_at=at(75)),
        ]
    )
    session.add_all(
        [
            UserCredits(id=1, user_id=1, balance=120, reset_at=at(60 * 24 * 30)),
            UserCredits(id=2, user_id=2, balance=15, reset_at=None),
            UserCredits(id=3, user_id=3, balance=0, reset_at=at(60 * 24 * 30)),
        ]
    )
    session.add_all(
        [
            SubscriptionPlan(id=1, name="Free", monthly_credits=20, price_cents=0),
            SubscriptionPlan(id=2, name="Pro", monthly_credits=500, price_cents=1900),
            SubscriptionPlan(id=3, name="Studio", monthly_credits=2000, price_cents=4900),
        ]
    )
    session.add_all(
        [
            Subscription(id=1, user_id=1, plan_id=2, status="active", current_period_end=at(60 * 24 * 30)),
            Subscription(id=2, user_id=2, plan_id=1, status="canceled", current_period_end=at(-60 * 24)),
            Subscription(id=3, user_id=2, plan_id=3, status="active", current_period_end=at(60 * 24 * 30)),
            Subscription(id=4, user_id=3, plan_id=1, status="active", current_period_end=at(60 * 24 * 30)),
        ]
    )
    session.flush()
