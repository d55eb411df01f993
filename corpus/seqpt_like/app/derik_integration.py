"""Bridge to Derik's competency assessment (survey import / export)."""
import logging

from models import db

logger = logging.getLogger(__name__)


def sync_survey_results(organization_id, payload):
    """Store survey answers coming from Derik's frontend."""
    from unified_models import (
        AppUser,
        UserCompetencySurveyResult,
    )

    user = AppUser.query.filter_by(username=payload['username']).first()
    if user is None:
        user = AppUser(username=payload['username'], organization_id=organization_id)
        db.session.add(user)
        db.session.flush()
    for competency_id, score in payload.get('scores', {}).items():
        db.session.add(UserCompetencySurveyResult(
            user_id=user.id, organization_id=organization_id,
            competency_id=int(competency_id), score=int(score)))
    db.session.commit()
    logger.info("synced %d results for %s", len(payload.get('scores', {})), user.username)
    return user
