"""Realms a token is linked to (privacyidea's Token.set_realms): realm names are stored
lower-cased, and the API passes the names it is given on as they are."""

from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class Realm(Base):
    __tablename__ = "realms"

    id: Mapped[int] = mapped_column(primary_key=True)
    # SQLite's NOCASE stands in for MySQL's case-insensitive default collation, which
    # the project relies on: names are stored lower-cased, looked up as given
    name: Mapped[str] = mapped_column(String(255, collation="NOCASE"), unique=True)


class TokenRealm(Base):
    __tablename__ = "token_realms"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column()
    realm_id: Mapped[int] = mapped_column(ForeignKey("realms.id"))


def create_realm(session: Session, name: str) -> Realm:
    realm = Realm(name=name.lower())
    session.add(realm)
    return realm


def set_realms(session: Session, token_id: int, realm_names: list[str]) -> None:
    for realm_name in realm_names:
        realm = session.scalars(select(Realm).filter_by(name=realm_name)).one_or_none()
        if realm is not None:
            session.add(TokenRealm(token_id=token_id, realm_id=realm.id))
