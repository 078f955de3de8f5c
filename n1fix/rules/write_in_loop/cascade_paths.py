"""Whether the ORM's delete cascade reaches a collection's rows by another path than the
collection itself.

    Tag.objects -> Obj, Obj.subs -> Sub, and Tag.subs -> Sub (all cascading deletes)

Deleting tag 1 cascades through its objects to their subs, which may be tag 2's subs.
When a later autoflush in the loop sends those DELETEs before tag 2's `delete()`, the
original loads tag 2's subs without them; subs loaded before the loop still hold them,
and tag 2's delete deletes them again (0 rows matched: a warning, or a StaleDataError).
"""

from __future__ import annotations


def cascades_delete(rel) -> bool:
    cascade = rel.cascade or ""
    parts = {part.strip() for part in cascade.split(",")}
    return "delete" in parts or "all" in parts


def other_cascade_to(ctx, model, rel) -> str | None:
    """A relationship, other than `model.<rel>`, that a delete of `model` may cascade
    through to `rel`'s rows, said as a clause; None when none n1fix reads."""
    models = ctx.project.models
    reached = {model.qualname}
    pending = [model]
    while pending:
        owner = pending.pop()
        for other in owner.relationships.values():
            if other.viewonly or not cascades_delete(other):
                continue
            if other.target == rel.target and not (
                owner.qualname == model.qualname and other.attr == rel.attr
            ):
                return (
                    f"`{owner.name}.{other.attr}` also cascades the delete to"
                    f" `{models.get(rel.target).name}` rows"
                )
            target = models.get(other.target or "")
            if target is not None and target.qualname not in reached:
                reached.add(target.qualname)
                pending.append(target)
    return None
