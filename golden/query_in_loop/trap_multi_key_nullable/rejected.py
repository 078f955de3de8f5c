from collections import defaultdict

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from pairapp.models import Affiliation, Member


def member_affiliations(session: Session, members: list[Member]) -> list[list[int]]:
    """The affiliations a member names by name and city; a member without a city names
    the affiliations without one (`Affiliation.city == None` is `IS NULL`)."""
    out = []
    member_keys = [
        (member.affiliation_name, member.affiliation_city) for member in members
    ]
    affiliations_by_member = defaultdict(list)
    if member_keys:
        for affiliation in session.scalars(
            select(Affiliation)
            .where(tuple_(Affiliation.name, Affiliation.city).in_(member_keys))
            .order_by(Affiliation.id)
        ):
            affiliations_by_member[(affiliation.name, affiliation.city)].append(
                affiliation
            )
    for member in members:
        found = affiliations_by_member.get(
            (member.affiliation_name, member.affiliation_city), []
        )
        out.append([affiliation.id for affiliation in found])
    return out
