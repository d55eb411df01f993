"""The `nothing-lost` check on hand-made before/after commits.

Each "after" is what a merge that loses something produces (the outputs unify
itself produced before issue 11: a helper kept from the wrong source, a
``db = None`` rebinding kept after ``db = SQLAlchemy()``, a name a source
exported under an alias gone, a table-only module overwritten); the check must
fail on each, naming file:line, and pass on a faithful merge.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from conftest import commit_all, git
from unify.nothing_lost import check
from unify.plan import Conflict, Candidate, Plan

SHIM = textwrap.dedent("""
    import warnings
    from models import *  # noqa
    warnings.warn("deprecated", DeprecationWarning, stacklevel=2)
""")


def _plan(sources, target="models.py", conflicts=()) -> Plan:
    return Plan(base_commit="", scope="", target=target, compat="models_compat.py",
                retire="shim", header="", sources=tuple(sources), fingerprints=(),
                sections=(), conflicts=tuple(conflicts))


def _two_commits(make_repo, before: dict, after: dict) -> tuple[Path, str]:
    repo = make_repo(before)
    base = git(repo, "rev-parse", "HEAD").strip()
    for rel, text in after.items():
        path = repo / rel
        if text is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    commit_all(repo, "after")
    return repo, base


TEAMS = textwrap.dedent("""
    from flask_sqlalchemy import SQLAlchemy
    db = SQLAlchemy()

    def next_free_name(base):
        return base + "-team"

    class Team(db.Model):
        id = db.Column(db.Integer, primary_key=True)
""").lstrip()
BOARDS = textwrap.dedent("""
    from teams import db

    def next_free_name(base):
        return base + "-board"

    class Board(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        def __init__(self, name):
            self.name = next_free_name(name)
""").lstrip()
MERGED_FIRST_WINS = textwrap.dedent("""
    from flask_sqlalchemy import SQLAlchemy
    db = SQLAlchemy()

    def next_free_name(base):
        return base + "-team"

    class Team(db.Model):
        id = db.Column(db.Integer, primary_key=True)

    class Board(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        def __init__(self, name):
            self.name = next_free_name(name)
""").lstrip()


def test_same_named_helper_with_another_body_is_lost(make_repo):
    repo, base = _two_commits(make_repo, {"teams.py": TEAMS, "boards.py": BOARDS},
                              {"models.py": MERGED_FIRST_WINS, "teams.py": SHIM,
                               "boards.py": SHIM})
    result = check(_plan(["teams.py", "boards.py"]), repo, base, "")
    lines = [x.line() for x in result.lost]
    assert lines == [
        "boards.py:3: next_free_name: the function at models.py:4 is not the code of "
        "boards.py:3 (no plan entry explains it; a [[conflicts]] entry for "
        "'next_free_name' would)"]


MERGED_RENAMED = textwrap.dedent("""
    from flask_sqlalchemy import SQLAlchemy
    db = SQLAlchemy()

    def next_free_name(base):
        return base + "-team"

    def boards_next_free_name(base):
        return base + "-board"

    class Team(db.Model):
        id = db.Column(db.Integer, primary_key=True)

    class Board(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        def __init__(self, name):
            self.name = boards_next_free_name(name)
""").lstrip()


def test_renamed_helper_named_by_the_plan_passes(make_repo):
    merged = MERGED_RENAMED
    shim = SHIM + "next_free_name = boards_next_free_name\n"
    repo, base = _two_commits(make_repo, {"teams.py": TEAMS, "boards.py": BOARDS},
                              {"models.py": merged, "teams.py": SHIM, "boards.py": shim})
    cand = (Candidate("teams.py:next_free_name", 4, None, 0, 0, 0),
            Candidate("boards.py:next_free_name", 3, None, 0, 0, 0))
    conflict = Conflict("next_free_name", "helper", cand, "rename", "teams.py:next_free_name",
                        "", renames=(("boards.py:next_free_name", "boards_next_free_name"),))
    result = check(_plan(["teams.py", "boards.py"], conflicts=[conflict]), repo, base, "")
    assert result.lost == ()
    assert result.names >= 4  # db, next_free_name, Team / Board (and teams' SQLAlchemy)


def test_scaffolding_rebinding_kept_in_the_target_is_caught(make_repo):
    scaffold = """
        db = None

        def _get_db():
            global db
            from teams import db as teams_db
            db = teams_db
            return db

        try:
            from teams import db
        except ImportError:
            pass

        class Board(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """
    merged = """
        from flask_sqlalchemy import SQLAlchemy
        db = SQLAlchemy()

        def next_free_name(base):
            return base + "-team"

        db = None

        class Team(db.Model):
            id = db.Column(db.Integer, primary_key=True)

        class Board(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """
    repo, base = _two_commits(make_repo, {"teams.py": TEAMS, "boards.py": scaffold},
                              {"models.py": merged, "teams.py": SHIM, "boards.py": SHIM})
    lines = [x.line() for x in check(_plan(["teams.py", "boards.py"]), repo, base, "").lost]
    assert "boards.py:10: db: the value at models.py:7 is not the code of teams.py:2" in \
        " ".join(lines)
    assert any(line.startswith("teams.py:2: db: the value at models.py:7") for line in lines)


def test_alias_exported_by_the_target_source_must_stay_importable(make_repo):
    models = """
        from flask_sqlalchemy import SQLAlchemy
        from unified import Competency as SECompetency

        db = SQLAlchemy()

        class User(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """
    unified = """
        from models import db

        class Competency(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """
    merged = """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()

        class User(db.Model):
            id = db.Column(db.Integer, primary_key=True)

        class Competency(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """
    repo, base = _two_commits(make_repo, {"models.py": models, "unified.py": unified},
                              {"models.py": merged, "unified.py": SHIM})
    lost = check(_plan(["models.py", "unified.py"]), repo, base, "").lost
    assert [x.line() for x in lost] == [
        "models.py:2: SECompetency: no longer importable from models (no plan entry drops "
        "names: models.py must still bind it)"]
    # the same with the alias kept in the target: nothing lost
    (repo / "models.py").write_text(textwrap.dedent(merged) + "SECompetency = Competency\n")
    commit_all(repo, "fixed")
    assert check(_plan(["models.py", "unified.py"]), repo, base, "").lost == ()


def test_tables_of_an_overwritten_target_that_was_not_a_source(make_repo):
    tables = """
        from sqlalchemy import Column, ForeignKey, Index, Integer, Table
        from pkg.base import metadata

        user_roles = Table(
            "user_roles", metadata,
            Column("user_id", ForeignKey("users.id")),
            Column("role_id", ForeignKey("roles.id")),
        )
        _tags = Table("tags", metadata, Column("id", Integer, primary_key=True))
        Index("ix_user_roles_role", user_roles.c.role_id)
    """
    users = """
        from sqlalchemy import Column, Integer
        from pkg.base import Base

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
    """
    base_py = """
        from sqlalchemy import MetaData
        from sqlalchemy.orm import declarative_base
        metadata = MetaData()
        Base = declarative_base(metadata=metadata)
    """
    repo, base = _two_commits(
        make_repo, {"pkg/__init__.py": "", "pkg/base.py": base_py, "pkg/models.py": tables,
                    "pkg/users.py": users},
        {"pkg/models.py": users, "pkg/users.py": SHIM.replace("from models", "from pkg.models")})
    plan = _plan(["pkg/users.py"], target="pkg/models.py")
    lines = [x.line() for x in check(plan, repo, base, "").lost]
    assert any(line.startswith("pkg/models.py:4: user_roles: no longer importable from "
                               "pkg.models") for line in lines), lines
    assert any(line.startswith("pkg/models.py:9: _tags = Table(") for line in lines), lines
    assert any(line.startswith("pkg/models.py:10: Index('ix_user_roles_role'") for line in lines)


def test_event_listener_must_still_be_registered(make_repo):
    listener = TEAMS + textwrap.dedent("""
        from sqlalchemy import event

        @event.listens_for(Team, "before_insert")
        def _stamp(mapper, connection, target):
            target.name = target.name or "x"
    """)
    repo, base = _two_commits(make_repo, {"teams.py": listener},
                              {"models.py": TEAMS + "from sqlalchemy import event\n",
                               "teams.py": SHIM})
    lines = [x.line() for x in check(_plan(["teams.py"]), repo, base, "").lost]
    assert lines == ["teams.py:13: @event.listens_for(Team, 'before_insert'): this "
                     "registration is no longer made by models.py (no plan entry explains it)"]


def test_a_faithful_merge_loses_nothing(make_repo):
    repo, base = _two_commits(make_repo, {"teams.py": TEAMS},
                              {"models.py": TEAMS.replace('"-team"', "'-team'")
                               + "\n# a comment\n", "teams.py": SHIM})
    result = check(_plan(["teams.py"]), repo, base, "")
    assert result.lost == () and result.names == 4  # SQLAlchemy, db, next_free_name, Team


MVP = textwrap.dedent('''
    from teams import db

    def owner_label(user):
        """The MVPUser's label: see MVPUser.name."""
        return "MVPUser " + str(user.id)

    class MVPUser(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        boss_id = db.Column(db.Integer)
        boss = db.relationship("MVPUser", foreign_keys=lambda: [MVPUser.boss_id])
''').lstrip()
MVP_MERGED = TEAMS + textwrap.dedent('''
    def owner_label(user):
        """The MVPUser's label: see MVPUser.name."""
        return "MVPUser " + str(user.id)

    class User(db.Model):
        id = db.Column(db.Integer, primary_key=True)
        boss_id = db.Column(db.Integer)
        boss = db.relationship("User", foreign_keys=lambda: [User.boss_id])
''')


def _alias_plan():
    from unify.plan import Alias

    plan = _plan(["teams.py", "mvp.py"])
    return type(plan)(**{**plan.__dict__, "aliases": (Alias("MVPUser", "User", ""),)})


def test_class_names_in_strings_may_or_may_not_follow_a_rename(make_repo):
    repo, base = _two_commits(make_repo, {"teams.py": TEAMS, "mvp.py": MVP},
                              {"models.py": MVP_MERGED, "teams.py": SHIM,
                               "mvp.py": SHIM + "MVPUser = User\n"})
    assert check(_alias_plan(), repo, base, "").lost == ()


def test_a_class_name_left_unrenamed_in_code_is_a_loss(make_repo):
    broken = MVP_MERGED.replace("[User.boss_id]", "[MVPUser.boss_id]")
    repo, base = _two_commits(make_repo, {"teams.py": TEAMS, "mvp.py": MVP},
                              {"models.py": broken, "teams.py": SHIM,
                               "mvp.py": SHIM + "MVPUser = User\n"})
    lines = [x.line() for x in check(_alias_plan(), repo, base, "").lost]
    assert len(lines) == 1 and lines[0].startswith("mvp.py:7: MVPUser: the class at models.py:"), lines


def test_schema_is_never_unchanged_over_an_overwritten_module_of_tables(make_repo):
    from unify import verify
    from unify.inventory import build_inventory
    from unify.scan import scan

    tables = """
        from sqlalchemy import Column, ForeignKey, Table
        from pkg.base import Base

        user_roles = Table(
            "user_roles", Base.metadata,
            Column("user_id", ForeignKey("users.id")),
        )
    """
    users = """
        from sqlalchemy import Column, Integer
        from pkg.base import Base

        class User(Base):
            __tablename__ = "users"
            id = Column(Integer, primary_key=True)
    """
    repo = make_repo({"pkg/__init__.py": "", "pkg/models.py": tables, "pkg/users.py": users,
                      "pkg/base.py": "from sqlalchemy.orm import declarative_base\n"
                                     "Base = declarative_base()\n"})
    before = build_inventory(scan(repo, ""))
    (repo / "pkg/models.py").write_text(textwrap.dedent(users))
    (repo / "pkg/users.py").write_text(SHIM.replace("from models", "from pkg.models"))
    after = build_inventory(scan(repo, ""))
    check_, _ = verify.schema(_plan(["pkg/users.py"], target="pkg/models.py"), before, after)
    assert not check_.ok and check_.detail != "the declared schema is unchanged"
    assert check_.items == ("user_roles: table no longer mapped",)
