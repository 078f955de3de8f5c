"""Tags named by users (superset's TagDAO.delete_tags): the name column compares under
the database's collation."""

from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Tag(Base):
    __tablename__ = "named_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SQLite's NOCASE stands in for the case-insensitive default collations of MySQL and
    # SQL Server, which the code does not rule out
    name: Mapped[str] = mapped_column(String(250, collation="NOCASE"), unique=True)


def tag_ids(session: Session, tag_names: list[str]) -> list[int]:
    """The ids of the named tags; a name no tag has is an error."""
    ids = []
    for tag_name in tag_names:
        name = tag_name.strip()
        tag = session.scalars(select(Tag).where(Tag.name == name)).first()
        if tag is None:
            raise LookupError(tag_name)
        ids.append(tag.id)
    return ids
