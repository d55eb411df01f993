# -*- coding: latin-1 -*-
"""Learning objective generator.

Builds one learning objective per competency gap.  German texts were written
by the Lehrstuhl and are kept in their original encoding (Übersetzung: M. Müller).
"""
import logging

from models import db

logger = logging.getLogger(__name__)

# Stufenbezeichnungen für die deutschen Lernziele
LEVEL_VERBS_DE = {1: 'kennen', 2: 'verstehen', 4: 'anwenden', 6: 'beherrschen'}
LEVEL_VERBS_EN = {1: 'know', 2: 'understand', 4: 'apply', 6: 'master'}


def _sentence(competency_name, level, language):
    verbs = LEVEL_VERBS_DE if language == 'de' else LEVEL_VERBS_EN
    verb = verbs.get(level, verbs[4])
    if language == 'de':
        return f"Die Teilnehmenden können {competency_name} {verb}."
    return f"Participants {verb} {competency_name}."


def generate_objectives(organization_id, language='en'):
    """Create LearningObjective rows for every gap of the organization."""
    from models import LearningObjective, LearningModule
    from unified_models import RoleCompetencyMatrix

    created = []
    for entry in RoleCompetencyMatrix.query.filter_by(organization_id=organization_id):
        if entry.role_competency_value <= 0:
            continue
        module = LearningModule.query.filter_by(competency_id=entry.competency_id).first()
        objective = LearningObjective(
            organization_id=organization_id,
            competency_id=entry.competency_id,
            module_id=module.id if module else None,
            target_level=entry.role_competency_value,
            text=_sentence(str(entry.competency_id), entry.role_competency_value, language),
            language=language,
        )
        db.session.add(objective)
        created.append(objective)
    db.session.commit()
    logger.info("generated %d objectives for organization %s", len(created), organization_id)
    return created
