"""Data access: one class per aggregate, static methods that take the session first."""

from app.dal.billing import BillingDAL
from app.dal.chains import RenderChainsDAL
from app.dal.projects import ProjectsDAL
from app.dal.renders import RendersDAL

__all__ = ["BillingDAL", "ProjectsDAL", "RenderChainsDAL", "RendersDAL"]
