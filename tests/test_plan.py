"""`unify plan`: deterministic, editable (comments survive), validated with line numbers."""

from __future__ import annotations

import os
import textwrap

import pytest
import tomlkit

from conftest import commit_all

MODELS = textwrap.dedent("""
    from flask_sqlalchemy import SQLAlchemy
    db = SQLAlchemy()

    class Organization(db.Model):
        __tablename__ = "organization"
        id = db.Column(db.Integer, primary_key=True)

    class User(db.Model):
        __tablename__ = "users"
        id = db.Column(db.Integer, primary_key=True)
        username = db.Column(db.String(80))
        email = db.Column(db.String(120))
        organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
""")
MVP = textwrap.dedent("""
    from models import db
    from models import Organization as Org

    class MVPUser(db.Model):
        __tablename__ = "mvp_users"
        id = db.Column(db.Integer, primary_key=True)
        username = db.Column(db.String(80))
        email = db.Column(db.String(120))
        organization_id = db.Column(db.String(36), db.ForeignKey("organizations.id"))
""")


@pytest.fixture
def repo(make_repo):
    return make_repo({"models.py": MODELS, "mvp_models.py": MVP,
                      "app/routes.py": "from mvp_models import MVPUser\n"})


def plan_text(run, repo, *extra) -> str:
    result = run("plan", "--repo", str(repo), "-o", "-", *extra)
    assert result.code == 0, result.err
    return result.out


def test_same_repo_gives_byte_identical_plan(repo, run, tmp_path):
    first = plan_text(run, repo)
    assert first == plan_text(run, repo)
    clone = tmp_path / "clone"
    os.system(f"git clone -q {repo} {clone}")
    assert plan_text(run, clone) == first


def test_plan_contents(repo, run):
    data = tomlkit.parse(plan_text(run, repo)).unwrap()
    assert data["target"] == "models.py" and data["compat"] == "models_compat.py"
    assert data["sources"] == ["models.py", "mvp_models.py"]
    assert sorted(n for s in data["sections"] for n in s["models"]) == [
        "MVPUser", "Organization", "User"]
    assert data["aliases"] == {"Org": "Organization"}
    kinds = {(f["kind"], f["model"], f["attr"], f["from"], f["to"]) for f in data["fixes"]}
    assert ("foreign_key", "MVPUser", "organization_id", "organizations.id",
            "organization.id") in kinds
    assert set(data["fingerprints"]) == {"models.py", "mvp_models.py", "app/routes.py"}


def test_probable_duplicate_is_a_commented_alias(repo, run):
    text = plan_text(run, repo)
    assert '# MVPUser = "User"  # similarity' in text
    assert "MVPUser" not in tomlkit.parse(text).unwrap()["aliases"]


def test_plan_written_to_plans_dir_and_not_overwritten(repo, run):
    first = run("plan", "--repo", str(repo))
    assert first.code == 0
    path = repo / "plans" / "models.toml"
    assert path.is_file() and "Plan written to" in first.out
    again = run("plan", "--repo", str(repo))
    assert again.code == 1 and "already exists" in again.err
    assert run("plan", "--repo", str(repo), "--force").code == 0


def test_edit_round_trip_keeps_comments(repo, run):
    run("plan", "--repo", str(repo))
    path = repo / "plans" / "models.toml"
    original = path.read_text()
    doc = tomlkit.parse(original)
    doc["sections"][0]["title"] = "Core entities (renamed by a reviewer)"
    doc["aliases"]["MVPUser"] = "User"
    path.write_text(tomlkit.dumps(doc))
    edited = path.read_text()
    comments = [line for line in original.splitlines() if line.lstrip().startswith("#")]
    assert all(c in edited for c in comments)
    result = run("plan", "--check", str(path), "--repo", str(repo))
    assert result.code == 0, result.out
    assert "the plan is valid" in result.out


AWKWARD_NAMES = ["app/two words.py", 'app/quo"te.py', "app/back\\slash.py", "app/tab\there.py",
                 "app/ünï/cödé.py"]


def test_fingerprints_of_awkward_file_names_read_back(make_repo, run):
    files = {"models.py": MODELS, "mvp_models.py": MVP}
    files.update({name: "from mvp_models import MVPUser\n" for name in AWKWARD_NAMES})
    repo = make_repo(files)
    result = run("plan", "--repo", str(repo))
    assert result.code == 0, result.err
    path = repo / "plans" / "models.toml"
    fingerprints = tomlkit.parse(path.read_text(encoding="utf-8"))["fingerprints"]
    assert set(AWKWARD_NAMES) <= set(fingerprints)
    check = run("plan", "--check", str(path), "--repo", str(repo))
    assert check.code == 0 and "the plan is valid" in check.out, check.out


def test_fingerprint_lines_are_the_ones_tomlkit_writes(repo):
    from dataclasses import replace

    from unify import api, planfile

    plan = api.make_plan(repo=str(repo), output="-").plan
    entries = [(name, f"{i:040x}") for i, name in enumerate(AWKWARD_NAMES)]
    entries += [("bare_key", "0" * 40), ("ctrl\x01\x7f.py", 'not "hex"\\'), ("", "\u2028")]
    text = planfile.render(replace(plan, fingerprints=tuple(sorted(entries))))
    table = tomlkit.table()
    for name, blob in sorted(entries):
        table.add(name, blob)
    lines = tomlkit.dumps(tomlkit.document().add("fingerprints", table)).split("\n", 1)[1]
    assert lines in text
    assert tomlkit.parse(text)["fingerprints"].unwrap() == dict(entries)


def edit_and_check(run, repo, transform):
    run("plan", "--repo", str(repo))
    path = repo / "plans" / "models.toml"
    text = transform(path.read_text())
    path.write_text(text)
    result = run("plan", "--check", str(path), "--repo", str(repo), "--json")
    return result, text


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1)
                if needle in line and not line.lstrip().startswith("#"))


def problems(result):
    return [(p["line"], p["message"]) for p in result.json()["problems"]]


def test_check_unknown_model(repo, run):
    result, text = edit_and_check(run, repo, lambda t: t.replace('"MVPUser"', '"MvpUser"', 1))
    assert result.code == 1
    found = problems(result)
    assert (line_of(text, '"MvpUser"'), "unknown model 'MvpUser' in section "
            + repr(tomlkit.parse(text)["sections"][-1]["title"])) in found or any(
        line == line_of(text, '"MvpUser"') and "unknown model 'MvpUser'" in msg
        for line, msg in found)
    assert any("model MVPUser is in no section" in msg for _, msg in found)
    hints = [p["hint"] for p in result.json()["problems"]]
    assert "did you mean 'MVPUser'?" in hints


def test_check_model_in_two_sections(repo, run):
    def dup(text):
        doc = tomlkit.parse(text)
        doc["sections"][0]["models"].append("MVPUser" if "MVPUser" not in
                                            doc["sections"][0]["models"] else "User")
        return tomlkit.dumps(doc)

    result, text = edit_and_check(run, repo, dup)
    assert result.code == 1
    [(line, message)] = [p for p in problems(result) if "two sections" in p[1]]
    name = message.split()[0]
    second = [i for i, l in enumerate(text.splitlines(), 1) if f'"{name}"' in l][1]
    assert line == second


@pytest.mark.parametrize("value", ["../outside.py", "/etc/models.py", "link/models.py"])
def test_check_paths_outside_repo(repo, run, tmp_path, value):
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", repo / "link")
    result, text = edit_and_check(
        run, repo, lambda t: t.replace('target = "models.py"', f'target = "{value}"'))
    assert result.code == 1
    assert (line_of(text, "target ="), f"target path {value!r} is outside the repository") \
        in problems(result)


def test_check_alias_cycle(repo, run):
    def cycle(text):
        doc = tomlkit.parse(text)
        doc["aliases"]["User"] = "Member"
        doc["aliases"]["Member"] = "User"
        return tomlkit.dumps(doc)

    result, text = edit_and_check(run, repo, cycle)
    assert result.code == 1
    assert (line_of(text, 'User = "Member"'), "alias cycle: User -> Member -> User") \
        in problems(result)


def test_check_stale_fingerprint(repo, run):
    run("plan", "--repo", str(repo))
    (repo / "app" / "routes.py").write_text("from mvp_models import MVPUser  # edited\n")
    commit_all(repo, "edit")
    path = repo / "plans" / "models.toml"
    result = run("plan", "--check", str(path), "--repo", str(repo), "--json")
    assert result.code == 1
    text = path.read_text()
    assert (line_of(text, '"app/routes.py" ='),
            "app/routes.py changed since the plan was made (stale plan)") in problems(result)


def test_check_unsettled_conflict_and_bad_resolution(make_repo, run):
    twin = MODELS.replace("organization", "org2").replace("Organization", "Org2")
    repo = make_repo({"models_a.py": MODELS, "models_b.py": MODELS, "models.py": twin})
    result = run("plan", "--repo", str(repo))
    assert result.code == 1  # a tie: the policy cannot choose
    assert "open (Organization, User)" in result.out
    path = repo / "plans" / "models.toml"
    checked = run("plan", "--check", str(path), "--repo", str(repo), "--json")
    text = path.read_text()
    lines = [i for i, l in enumerate(text.splitlines(), 1) if l.startswith('resolution = "?"')]
    assert [p[0] for p in problems(checked) if "undecided" in p[1]] == lines
    path.write_text(text.replace('\nresolution = "?"', '\nresolution = "maybe"', 1))
    checked = run("plan", "--check", str(path), "--repo", str(repo), "--json")
    assert checked.code == 1
    assert problems(checked)[0] == (lines[0], "conflict Organization: resolution must be one of "
                                    "keep, merge, rename, ?")


def test_corrupt_plan_is_one_line_exit_2(repo, run):
    bad = repo / "plans" / "bad.toml"
    bad.parent.mkdir()
    bad.write_text('version = 1\ntarget = "models.py\n')
    result = run("plan", "--check", str(bad), "--repo", str(repo))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "bad.toml:2: the plan is not valid TOML" in result.err
    missing = run("plan", "--check", str(repo / "plans" / "nope.toml"), "--repo", str(repo))
    assert missing.code == 2 and "no such plan file" in missing.err


def test_no_models_is_refused(make_repo, run):
    repo = make_repo({"app.py": "print('hi')\n"})
    result = run("plan", "--repo", str(repo))
    assert result.code == 1 and "no ORM models found" in result.err


# seqpt_like is designed to need a person: mvp_user_roles.role_id points at a table
# 'roles' that no model defines and no existing table resembles.
NEEDS_A_HUMAN = {"seqpt_like": ["mvp_user_roles.role_id"]}


@pytest.mark.parametrize("case", ["seqpt_like", "package_models", "typed_sqla2"])
def test_corpus_plans_are_settled_except_by_design(corpus_repo, run, case):
    repo = corpus_repo(case)
    result = run("plan", "--repo", str(repo), "--json")
    data = result.json()
    assert data["unsettled"] == NEEDS_A_HUMAN.get(case, [])
    assert result.code == (1 if case in NEEDS_A_HUMAN else 0)
    path = repo / "plans" / "models.toml"
    check = run("plan", "--check", str(path), "--repo", str(repo))
    assert check.code == result.code, check.out
    if case in NEEDS_A_HUMAN:  # the person decides; the plan is then valid
        path.write_text(path.read_text().replace('to = "?"', 'to = "role_cluster.id"'))
        assert run("plan", "--check", str(path), "--repo", str(repo)).code == 0


def test_seqpt_plan_matches_the_seed_structure(corpus_repo, run):
    data = run("plan", "--repo", str(corpus_repo("seqpt_like")), "--json").json()
    core = data["sections"][0]
    assert core["title"] == "Core entities"
    assert {"Organization", "Competency", "RoleCluster"} <= set(core["models"])
    aliases = {a["old"]: a["new"] for a in data["aliases"] if a["enabled"]}
    assert aliases["SECompetency"] == "Competency" and aliases["SERole"] == "RoleCluster"
    suggested = {a["old"]: a["new"] for a in data["aliases"] if not a["enabled"]}
    assert suggested.get("MVPUser") == "User"
    fixes = {(f["kind"], f["old"], f["new"]) for f in data["fixes"]}
    assert ("foreign_key", "organizations.id", "organization.id") in fixes
    assert ("column_type", "String(36)", "Integer") in fixes


def test_a_plan_without_sections_is_valid_toml_with_sections_at_the_top(make_repo, run):
    """Sources holding only tables (indico's association-table modules): no section.
    An empty `sections` written after the [fingerprints] table became a fingerprint."""
    repo = make_repo({
        "pkg/__init__.py": "",
        "pkg/db.py": "from sqlalchemy.orm import declarative_base\nBase = declarative_base()\n",
        "pkg/links.py": """
            from sqlalchemy import Column, ForeignKey, Integer, Table
            from pkg.db import Base

            user_links = Table(
                "user_links", Base.metadata,
                Column("a_id", Integer, ForeignKey("a.id")),
                Column("b_id", Integer, ForeignKey("b.id")),
            )
        """,
        "pkg/more_links.py": """
            from sqlalchemy import Column, ForeignKey, Integer, Table
            from pkg.db import Base

            room_links = Table("room_links", Base.metadata, Column("a_id", Integer))
        """,
    })
    run("plan", "--repo", str(repo))
    text = (repo / "plans" / "models.toml").read_text(encoding="utf-8")
    import tomllib

    data = tomllib.loads(text)
    assert data["sections"] == []
    assert all(isinstance(v, str) for v in data["fingerprints"].values())
    checked = run("plan", "--check", str(repo / "plans" / "models.toml"), "--repo", str(repo))
    assert "fingerprints must map" not in checked.out + checked.err
