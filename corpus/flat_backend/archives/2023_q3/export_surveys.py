"""One-off export used for the Q3 2023 pilot report. Not maintained."""
import csv
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mvp_models import MVPSurvey  # noqa: E402
from unified_models import Assessment, db  # noqa: E402


def main(path):
    with open(path, "w", newline="") as handle:
        out = csv.writer(handle)
        for survey in db.session.query(MVPSurvey).all():
            total = db.session.get(Assessment, survey.assessment_id)
            out.writerow([survey.id, survey.owner_id, total and total.total])


if __name__ == "__main__":
    main(sys.argv[1])
