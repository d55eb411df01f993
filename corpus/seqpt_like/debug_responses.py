"""Print questionnaire responses and survey results for one organization."""
import sys

from app import create_app
from app.services import llm_pipeline
from models import db, PhaseQuestionnaireResponse, Questionnaire


def dump(organization_id):
    unified = __import__('unified_models')
    for response in PhaseQuestionnaireResponse.query.all():
        questionnaire = db.session.get(Questionnaire, response.questionnaire_id)
        print(questionnaire.name if questionnaire else '?', response.responses)
    results = unified.UserCompetencySurveyResult.query.filter_by(organization_id=organization_id)
    for result in results:
        print(result.to_dict())
    print("pipeline entry point:", llm_pipeline.run_pipeline.__name__)


if __name__ == '__main__':
    with create_app().app_context():
        dump(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
