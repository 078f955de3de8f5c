from sqlalchemy import select
from sqlalchemy.orm import Session

from pairapp.models import Affiliation, Member


def member_affiliations(session: Session, members: list[Member]) -> list[list[int]]:
    """The affiliations a member names by name and city; a member without a city names
    the affiliations without one (`Affiliation.city == None` is `IS NULL`)."""
    out = []
    for member in members:
        found = session.scalars(
            select(Affiliation)
            .where(
                Affiliation.name == member.affiliation_name,
                Affiliation.city == member.affiliation_city,
            )
            .order_by(Affiliation.id)
        ).all()
        out.append([affiliation.id for affiliation in found])
    return out
