"""Persist role mappings suggested by the LLM."""
import importlib
import logging

from models import db

logger = logging.getLogger(__name__)


def _mvp_models():
    # mvp_models is optional in some deployments; resolve it at call time.
    return importlib.import_module('mvp_models')


def map_roles(user_id, suggestions, organization_id=None):
    """suggestions: list of (role_cluster_id, confidence, rationale)."""
    mvp = _mvp_models()
    mappings = []
    for role_cluster_id, confidence, rationale in suggestions:
        mapping = mvp.RoleMapping(user_id=user_id, role_cluster_id=role_cluster_id,
                                  organization_id=organization_id,
                                  confidence=confidence, rationale=rationale)
        db.session.add(mapping)
        mappings.append(mapping)
    db.session.commit()
    logger.info("stored %d role mappings for %s", len(mappings), user_id)
    return mappings
