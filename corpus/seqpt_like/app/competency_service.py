"""Competency service: role/competency matrix and gap calculations."""
import logging

from models import db

logger = logging.getLogger(__name__)


class CompetencyService:
    """Reads Derik's competency tables."""

    @staticmethod
    def get_role_competency_matrix(organization_id):
        from unified_models import Competency, RoleCompetencyMatrix

        rows = (
            db.session.query(RoleCompetencyMatrix, Competency)
            .join(Competency, Competency.id == RoleCompetencyMatrix.competency_id)
            .filter(RoleCompetencyMatrix.organization_id == organization_id)
            .all()
        )
        matrix = {}
        for entry, competency in rows:
            matrix.setdefault(entry.role_cluster_id, {})[competency.competency_name] = entry.role_competency_value
        return matrix

    @staticmethod
    def compute_gaps(required, current):
        return {name: max(0, level - current.get(name, 0)) for name, level in required.items()}
