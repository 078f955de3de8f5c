import importlib
import logging

from sqlalchemy import select

from renderapp.models import Project


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def run(service, session):
    # What a batch method would lose: one log line and one recently-viewed entry per project.
    dal = importlib.import_module(".dal", service.__package__)
    collect = Collect()
    dal.log.addHandler(collect)
    dal.log.setLevel(logging.INFO)
    try:
        projects = session.scalars(select(Project).order_by(Project.id)).all()
        cards = service.dashboard(session, list(projects))
    finally:
        dal.log.removeHandler(collect)
    return cards, list(dal.recently_viewed), collect.messages
