"""End-to-end pipeline: tasks -> role clusters -> competency gaps."""
import logging

from models import db
from .prompt_context import Competency as CompetencyContext, build_prompt
from .role_mapper import map_roles

logger = logging.getLogger(__name__)


def run_pipeline(user_id, tasks, llm_client):
    from mvp_models import MVPUser, RoleMapping

    user = db.session.get(MVPUser, user_id)
    if user is None:
        raise LookupError(f"unknown MVP user {user_id}")
    previous = RoleMapping.query.filter_by(user_id=user.id).count()
    contexts = [CompetencyContext('Systems Thinking', 'Core', required_level=4)]
    prompt = build_prompt(tasks, contexts)
    suggestions = llm_client.complete(prompt)
    logger.debug("user %s had %d mappings before this run", user.id, previous)
    return map_roles(user.id, suggestions)
