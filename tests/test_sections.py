"""Sections a reviewer keeps: the sources' own headings become the target's sections.

Issue 12: headings (comment lines or ``# ===`` banners directly above a group of
models) are the default sections, merged across files when titles match,
foreign-key ordered inside; files without headings fall back to the old rules; the
merged module has no empty or duplicated banner blocks. Seed 001's proposed layout
is the reference for corpus/seqpt_like.
"""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import git
from unify.headings import key, model_headings

TWO_FILES = {
    "models.py": """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()

        # -----------------------------------------------------------------
        # Constants
        # -----------------------------------------------------------------
        MAX_LEVEL = 6


        # Assessment Models
        class Assessment(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            user_id = db.Column(db.Integer, db.ForeignKey("app_user.id"))


        # Stores one row per answer: see the survey tool.
        class Answer(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            assessment_id = db.Column(db.Integer, db.ForeignKey("assessment.id"))


        # ===== USER MANAGEMENT =====
        class AppUser(db.Model):
            id = db.Column(db.Integer, primary_key=True)
    """,
    "extra_models.py": """
        from models import db


        # =============================================================
        # SECTION 1: User management (Derik)
        # =============================================================

        class Team(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            lead_id = db.Column(db.Integer, db.ForeignKey("app_user.id"))


        # Assessment
        class Rubric(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            assessment_id = db.Column(db.Integer, db.ForeignKey("assessment.id"))
    """,
    "app.py": "from extra_models import Team\nfrom models import Assessment, AppUser\n",
}


def test_headings_are_banners_and_short_title_lines():
    text = TWO_FILES["models.py"].replace("\n        ", "\n")
    found = model_headings(text, {"Assessment", "Answer", "AppUser"})
    # a sentence above Answer is a comment, not a heading: Answer stays under Assessment
    assert found == {"Assessment": "Assessment Models", "Answer": "Assessment Models",
                     "AppUser": "User management"}
    text = TWO_FILES["extra_models.py"].replace("\n        ", "\n")
    assert model_headings(text, {"Team", "Rubric"}) == {
        "Team": "User management (Derik)", "Rubric": "Assessment"}


def test_a_heading_over_code_that_is_not_a_model_ends_the_section():
    text = ("# Core entities\nclass A(Base):\n    pass\n\n\n# Constants\nLIMIT = 3\n\n\n"
            "class B(Base):\n    pass\n\n\n# noqa\nclass C(Base):\n    pass\n")
    assert model_headings(text, {"A", "B", "C"}) == {"A": "Core entities"}


def test_titles_match_across_files():
    assert key("Assessment Models") == key("ASSESSMENT") == key("assessment")
    assert key("User management (Derik)") == key("USER MANAGEMENT")
    assert key("Assessment & results") != key("Assessment")


def test_sources_headings_are_the_default_sections(make_repo, run):
    repo = make_repo(TWO_FILES)
    data = run("plan", "--repo", str(repo), "--json").json()
    sections = [(s["title"], s["models"]) for s in data["sections"]]
    # merged across files by title; referenced sections first; FK order inside
    assert sections == [("User management", ["AppUser", "Team"]),
                        ("Assessment Models", ["Assessment", "Answer", "Rubric"])]


def test_merged_target_has_no_leftover_or_empty_banners(make_repo, run):
    repo = make_repo(TWO_FILES)
    assert run("plan", "--repo", str(repo)).code == 0
    out = subprocess.run([sys.executable, "-m", "unify", "apply", str(repo / "plans/models.toml"),
                          "--repo", str(repo), "-q"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    target = git(repo, "show", "unify/models:models.py")
    lines = target.splitlines()
    titles = [line for line in lines if line.startswith("# SECTION")]
    assert titles == ["# SECTION 1: Database initialization and shared helpers",
                      "# SECTION 2: User management", "# SECTION 3: Assessment Models"]
    for heading in ("# Assessment Models", "# ===== USER MANAGEMENT =====", "# Assessment",
                    "# SECTION 1: User management (Derik)"):
        assert heading not in lines, heading
    assert "# Stores one row per answer: see the survey tool." in lines  # a comment stays
    # every banner is followed by code, and no two rule lines without a title between
    rule = "# " + "=" * 77
    for i, line in enumerate(lines):
        if line.startswith("# SECTION"):
            assert lines[i - 1] == rule and lines[i + 1] == rule
            following = [t for t in lines[i + 2:] if t.strip()]
            assert following and not following[0].startswith("# SECTION")
    assert not re.search(r"^# -{20,}\n# -{20,}$", target, re.M)


def test_files_without_headings_fall_back_to_the_old_sections(make_repo, run):
    files = {k: re.sub(r"\n *# [^\n]*\n", "\n", v) for k, v in TWO_FILES.items()}
    data = run("plan", "--repo", str(make_repo(files)), "--json").json()
    titles = [s["title"] for s in data["sections"]]
    assert "User management" not in titles and "Assessment Models" not in titles


SEED_001 = [  # /work/shared/seeds/001: the layout the person who merged it by hand chose
    ("Core entities", {"Organization", "Competency", "RoleCluster"}),
    ("User management", {"User", "AppUser"}),
    ("Assessment & results", {"Assessment", "UserCompetencySurveyResult",
                              "MaturityAssessment"}),
    ("Learning & qualification", {"LearningObjective", "LearningModule",
                                  "QualificationPlan"}),
    ("Questionnaires & surveys", {"Questionnaire", "PhaseQuestionnaireResponse"}),
]


def test_seqpt_sections_follow_seed_001(corpus_repo, run):
    data = run("plan", "--repo", str(corpus_repo("seqpt_like")), "--json").json()
    sections = data["sections"]
    assert [s["title"] for s in sections] == [title for title, _ in SEED_001]
    for section, (_, models) in zip(sections, SEED_001):
        assert models <= set(section["models"]), section
    every = [m for s in sections for m in s["models"]]
    assert len(every) == len(set(every))
