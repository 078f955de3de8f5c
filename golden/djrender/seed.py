"""The rows of renderapp's seed (see renderapp/seed.py for what the scenarios lean on),
written through Django's default connection, at the same times in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from djrender.models import (
    GalleryItem,
    Project,
    Render,
    RenderChain,
    Subscription,
    SubscriptionPlan,
    User,
    UserCredits,
)
from renderapp.seed import PROMPTS, RENDERS

BASE_TIME = datetime(2024, 3, 1, 9, 0, 0, tzinfo=UTC)
MONTH = 60 * 24 * 30


def at(minutes: int) -> datetime:
    return BASE_TIME + timedelta(minutes=minutes)


USERS = [
    (1, "ana@example.com", "Ana Duarte", 0),
    (2, "ben@example.com", "Ben Okafor", 0),
    (3, "chloe@example.com", "Chloé Martin", 5),
    (4, "dev@example.com", "Dev Patel", 7),
]
PROJECTS = [
    (1, 1, "Spring lookbook", 10),
    (2, 1, "Logo ideas", 10),
    (3, 1, "Empty draft", 9),
    (4, 2, "Storyboard", 15),
    (5, 2, "Archive", 16),
    (6, 3, "Portraits", 20),
]
CHAINS = [
    (1, 4, "Opening scene", 30),
    (2, 4, "Chase", 31),
    (3, 1, "Colourways", 32),
    (4, 4, "Unused take", 33),
]
# id, render, title, is_public, minute
GALLERY_ITEMS = [
    (1, 1, "Studio jacket", True, 70),
    (2, 1, "Studio jacket (crop)", False, 70),
    (3, 1, "Studio jacket (wide)", True, 71),
    (4, 5, "Final colourway", True, 72),
    (5, 10, "Harbour", True, 72),
    (6, 10, "Harbour (print)", True, 73),
    (7, 13, "Chase draft", False, 74),
    (8, 16, "Window portrait", True, 75),
]
CREDITS = [(1, 1, 120, MONTH), (2, 2, 15, None), (3, 3, 0, MONTH)]
PLANS = [(1, "Free", 20, 0), (2, "Pro", 500, 1900), (3, "Studio", 2000, 4900)]
SUBSCRIPTIONS = [
    (1, 1, 2, "active", MONTH),
    (2, 2, 1, "canceled", -60 * 24),
    (3, 2, 3, "active", MONTH),
    (4, 3, 1, "active", MONTH),
]


def seed() -> None:
    User.objects.bulk_create(
        User(id=id_, email=email, display_name=name, created_at=at(minute))
        for id_, email, name, minute in USERS
    )
    Project.objects.bulk_create(
        Project(id=id_, user_id=user, name=name, created_at=at(minute))
        for id_, user, name, minute in PROJECTS
    )
    RenderChain.objects.bulk_create(
        RenderChain(id=id_, project_id=project, name=name, created_at=at(minute))
        for id_, project, name, minute in CHAINS
    )
    # parents and references point backwards: in id order, every one is there already
    Render.objects.bulk_create(
        Render(
            id=id_,
            project_id=project,
            user_id=user,
            chain_id=chain,
            chain_position=position,
            parent_render_id=parent,
            reference_render_id=reference,
            prompt=PROMPTS[id_],
            status=status,
            created_at=at(minute),
        )
        for id_, project, user, chain, position, parent, reference, status, minute in (
            RENDERS
        )
    )
    GalleryItem.objects.bulk_create(
        GalleryItem(
            id=id_, render_id=render, title=title, is_public=public, published_at=at(m)
        )
        for id_, render, title, public, m in GALLERY_ITEMS
    )
    UserCredits.objects.bulk_create(
        UserCredits(
            id=id_,
            user_id=user,
            balance=balance,
            reset_at=None if reset is None else at(reset),
        )
        for id_, user, balance, reset in CREDITS
    )
    SubscriptionPlan.objects.bulk_create(
        SubscriptionPlan(id=id_, name=name, monthly_credits=credits, price_cents=cents)
        for id_, name, credits, cents in PLANS
    )
    Subscription.objects.bulk_create(
        Subscription(
            id=id_,
            user_id=user,
            plan_id=plan,
            status=status,
            current_period_end=at(end),
        )
        for id_, user, plan, status, end in SUBSCRIPTIONS
    )
