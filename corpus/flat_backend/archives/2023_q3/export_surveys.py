"""One-off export used for the Q3 2023 pilot report. Not maintained."""
import csv
import sys

from mvp_models import MVPSurvey
from unified_models import Assessment, db


def main(path):
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        for survey in db.session.query(MVPSurvey).all():
            total = db.session.get(Assessment, survey.assessment_id)
            out.writerow([survey.id, survey.owner_id, total and total.total])


if __name__ == "__main__":
    main(sys.argv[1])
