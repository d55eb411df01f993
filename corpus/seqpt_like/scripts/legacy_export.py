# Legacy CSV export from the first prototype (Python 2.7, never ported)
import csv
import sys

sys.path.insert(0, '..')

from models import db, User
from mvp_models import MVPUser


def export(path):
    out = open(path, 'wb')
    writer = csv.writer(out)
    for user in User.query.all():
        writer.writerow([user.id, user.username, user.email])
    for user in MVPUser.query.all():
        writer.writerow([user.id, user.username, user.email])
    out.close()
    print "exported to %s" % path


if __name__ == '__main__':
    try:
        export(sys.argv[1])
    except IndexError, e:
        print "usage: legacy_export.py OUT.csv"
