"""Render chains: ordered sequences of renders inside a project."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.dal import RenderChainsDAL
from app.models import Render, RenderChain


@dataclass
class ChainHead:
    chain_id: int
    name: str
    latest_render_id: int | None
    latest_prompt: str | None


def chain_heads(session: Session, project_id: int) -> list[ChainHead]:
    """Each chain of the project with its newest render: 1 + N round trips."""
    chains = session.scalars(
        select(RenderChain).where(RenderChain.project_id == project_id).order_by(RenderChain.id)
    ).all()
    heads = []
    for chain in chains:
        latest = session.scalars(
            select(Render)
            .where(Render.chain_id == chain.id)
            .order_by(Render.created_at.desc(), Render.id.desc())
        ).first()
        heads.append(
            ChainHead(
                chain_id=chain.id,
                name=chain.name,
                latest_render_id=latest.id if latest else None,
                latest_prompt=latest.prompt if latest else None,
            )
        )
    return heads


def append_to_chain(session: Session, chain_id: int, prompts: Sequence[str], user_id: int) -> list[int]:
    """Queue new renders at the end of a chain.

    Left alone by n1fix: each position query must see the render added in the previous
    iteration (autoflush), so it cannot be hoisted.
    """
    chain = session.get(RenderChain, chain_id)
    if chain is None:
        raise LookupError(f"no chain {chain_id}")
    new_ids = []
    for prompt in prompts:
        position = session.scalar(select(func.count(Render.id)).where(Render.chain_id == chain.id))
        render = Render(
            project_id=chain.project_id,
            user_id=user_id,
            chain_id=chain.id,
            chain_position=position,
            prompt=prompt,
        )
        session.add(render)
        session.flush()
        new_ids.append(render.id)
    session.commit()
    return new_ids


def delete_chain(session: Session, chain_id: int) -> int:
    """Detach the chain's renders and delete it: 2 + N statements.

    The UPDATE runs inside RenderChainsDAL.remove_render, one call per render;
    RenderChainsDAL.remove_renders does it in one statement.
    """
    renders = session.scalars(select(Render).where(Render.chain_id == chain_id)).all()
    for render in renders:
        RenderChainsDAL.remove_render(session, chain_id, render.id)
    RenderChainsDAL.delete(session, chain_id)
    session.commit()
    return len(renders)


@dataclass
class RenderContext:
    render_id: int
    parent_id: int | None
    reference_id: int | None
    chain_name: str | None


def render_with_context(session: Session, render_id: int) -> RenderContext | None:
    """A render with its parent, reference and chain: dependent lookups, one after another."""
    render = session.get(Render, render_id)
    if render is None:
        return None
    parent = session.get(Render, render.parent_render_id) if render.parent_render_id else None
    reference = session.get(Render, render.reference_render_id) if render.reference_render_id else None
    chain = session.get(RenderChain, render.chain_id) if render.chain_id else None
    return RenderContext(
        render_id=render.id,
        parent_id=parent.id if parent else None,
        reference_id=reference.id if reference else None,
        chain_name=chain.name if chain else None,
    )
