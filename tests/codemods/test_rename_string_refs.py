"""RenameStringRefsCommand: before/after pairs, no-ops, literal styles, bad arguments, the CLI."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, CodemodTest

from codemods.rename_string_refs import RenameStringRefsCommand

ROOT = Path(__file__).resolve().parents[2]
CLASSES = ["MVPUser=User", "SECompetency=Competency"]
TABLES = ["organizations=organization", "user_roles=user_role"]


def run_bytes(source: bytes, **kwargs: object) -> bytes:
    """Parse *source* as bytes, run the command on it, return the new bytes."""
    command = RenameStringRefsCommand(CodemodContext(), **kwargs)
    return command.transform_module(cst.parse_module(source)).bytes


class TestRelationshipTargets(CodemodTest):
    TRANSFORM = RenameStringRefsCommand

    def test_bare_call_and_keyword_names_kept(self) -> None:
        before = """
            user = relationship("MVPUser", back_populates="MVPUser", backref="SECompetency")
        """
        after = """
            user = relationship("User", back_populates="MVPUser", backref="SECompetency")
        """
        self.assertCodemod(before, after, rename_class=CLASSES)

    def test_relation_and_dynamic_loader(self) -> None:
        before = """
            user = relation("MVPUser", primaryjoin="MVPUser.id == Role.user_id")
            roles = orm.dynamic_loader("MVPUser", order_by="MVPUser.id")
        """
        after = """
            user = relation("User", primaryjoin="User.id == Role.user_id")
            roles = orm.dynamic_loader("User", order_by="User.id")
        """
        self.assertCodemod(before, after, rename_class=CLASSES)

    def test_attribute_callees(self) -> None:
        before = """
            a = db.relationship('MVPUser')
            b = orm.relationship("SECompetency", lazy="dynamic")
            c = sa.orm.relationship("MVPUser")
        """
        after = """
            a = db.relationship('User')
            b = orm.relationship("Competency", lazy="dynamic")
            c = sa.orm.relationship("User")
        """
        self.assertCodemod(before, after, rename_class=CLASSES)

    def test_argument_keyword(self) -> None:
        before = """
            user = relationship(argument="MVPUser", uselist=False)
        """
        after = """
            user = relationship(argument="User", uselist=False)
        """
        self.assertCodemod(before, after, rename_class=CLASSES)

    def test_only_first_positional_is_the_target(self) -> None:
        before = """
            a = relationship("Assessment", "MVPUser")
            b = relationship(*args, "MVPUser")
            c = relationship("MVPUserRole")
        """
        self.assertCodemod(before, before, rename_class=CLASSES)

    def test_dotted_target_becomes_new_name_with_warning(self) -> None:
        before = """
            user = relationship("mvp_models.MVPUser")
            other = relationship("mvp_models.Assessment")
        """
        after = """
            user = relationship("User")
            other = relationship("mvp_models.Assessment")
        """
        warning = (
            "relationship('mvp_models.MVPUser') now targets 'User': the module path "
            "'mvp_models' is dropped, it will be stale after the merge"
        )
        self.assertCodemod(
            before, after, rename_class=CLASSES, expected_warnings=[warning]
        )

    def test_backref_name_is_not_a_class(self) -> None:
        before = """
            roles = db.relationship("Role", backref=db.backref("MVPUser", lazy="dynamic"))
        """
        self.assertCodemod(before, before, rename_class=CLASSES)

    def test_renames_are_simultaneous(self) -> None:
        before = """
            a = relationship("Admin")
            b = relationship("Member", primaryjoin="Admin.id == Member.admin_id")
        """
        after = """
            a = relationship("Member")
            b = relationship("Admin", primaryjoin="Member.id == Admin.admin_id")
        """
        self.assertCodemod(before, after, rename_class=["Admin=Member", "Member=Admin"])


class TestJoinExpressions(CodemodTest):
    TRANSFORM = RenameStringRefsCommand

    def test_every_expression_keyword(self) -> None:
        before = """
            a = relationship(
                "Assessment",
                primaryjoin="and_(MVPUser.id == Assessment.user_id)",
                secondaryjoin="SECompetency.id == Assessment.competency_id",
                foreign_keys="[Assessment.user_id, MVPUser.org_id]",
                order_by="desc(SECompetency.name)",
                remote_side="MVPUser.id",
            )
        """
        after = """
            a = relationship(
                "Assessment",
                primaryjoin="and_(User.id == Assessment.user_id)",
                secondaryjoin="Competency.id == Assessment.competency_id",
                foreign_keys="[Assessment.user_id, User.org_id]",
                order_by="desc(Competency.name)",
                remote_side="User.id",
            )
        """
        self.assertCodemod(before, after, rename_class=CLASSES)

    def test_word_boundaries_and_attributes(self) -> None:
        before = """
            a = relationship(
                "Role",
                primaryjoin="MVPUserRole.user_id == XMVPUser.id",
                order_by="Assessment.MVPUser",
            )
        """
        self.assertCodemod(before, before, rename_class=CLASSES)

    def test_inside_backref(self) -> None:
        before = """
            a = relationship("Role", backref=backref("users", order_by="MVPUser.name"))
        """
        after = """
            a = relationship("Role", backref=backref("users", order_by="User.name"))
        """
        self.assertCodemod(before, after, rename_class=CLASSES)

    def test_table_columns_in_join_strings(self) -> None:
        before = """
            roles = relationship(
                "Role",
                secondary="user_roles",
                primaryjoin="MVPUser.id == user_roles.c.user_id",
                secondaryjoin="Role.id == MVPUser.user_roles",
            )
        """
        after = """
            roles = relationship(
                "Role",
                secondary="user_role",
                primaryjoin="User.id == user_role.c.user_id",
                secondaryjoin="Role.id == User.user_roles",
            )
        """
        self.assertCodemod(before, after, rename_class=CLASSES, rename_table=TABLES)

    def test_escape_sequences_and_newlines(self) -> None:
        before = r'''
            a = relationship("A", primaryjoin="and_(A.id == B.id,\nMVPUser.id == A.uid)")
            b = relationship("B", primaryjoin="""and_(
                MVPUser.id == B.uid)""")
        '''
        after = r'''
            a = relationship("A", primaryjoin="and_(A.id == B.id,\nUser.id == A.uid)")
            b = relationship("B", primaryjoin="""and_(
                User.id == B.uid)""")
        '''
        self.assertCodemod(before, after, rename_class=CLASSES)


class TestForeignKeysAndTables(CodemodTest):
    TRANSFORM = RenameStringRefsCommand

    def test_exact_fix_and_callees(self) -> None:
        before = """
            a = Column(ForeignKey("organizations.id"))
            b = db.Column(db.ForeignKey('organizations.id'), nullable=False)
            c = mapped_column(sa.ForeignKey(column="organizations.id", ondelete="CASCADE"))
            d = Column(ForeignKey("organizations.name"))
        """
        after = """
            a = Column(ForeignKey("organization.id"))
            b = db.Column(db.ForeignKey('organization.id'), nullable=False)
            c = mapped_column(sa.ForeignKey(column="organization.id", ondelete="CASCADE"))
            d = Column(ForeignKey("organizations.name"))
        """
        self.assertCodemod(
            before, after, fix_foreign_key=["organizations.id=organization.id"]
        )

    def test_table_rename_any_column_and_schema(self) -> None:
        before = """
            a = Column(ForeignKey("organizations.uuid"))
            b = Column(ForeignKey("public.organizations.id"))
            c = Column(ForeignKey("organizations_archive.id"))
        """
        after = """
            a = Column(ForeignKey("organization.uuid"))
            b = Column(ForeignKey("public.organization.id"))
            c = Column(ForeignKey("organizations_archive.id"))
        """
        self.assertCodemod(before, after, rename_table=TABLES)

    def test_exact_fix_wins_over_table_rename(self) -> None:
        before = """
            a = Column(ForeignKey("organizations.uuid"))
            b = Column(ForeignKey("organizations.name"))
            c = Column(ForeignKey("mvp_users.id"))
        """
        after = """
            a = Column(ForeignKey("organization.id"))
            b = Column(ForeignKey("organization.name"))
            c = Column(ForeignKey("users.id"))
        """
        self.assertCodemod(
            before,
            after,
            fix_foreign_key=[
                "organizations.uuid=organization.id",
                "mvp_users.id=users.id",
            ],
            rename_table=TABLES,
        )

    def test_foreign_key_constraint_refcolumns(self) -> None:
        before = """
            __table_args__ = (
                ForeignKeyConstraint(["org_id"], ["organizations.id"]),
                ForeignKeyConstraint(columns=("a", "b"), refcolumns=("organizations.a", x)),
            )
        """
        after = """
            __table_args__ = (
                ForeignKeyConstraint(["org_id"], ["organization.id"]),
                ForeignKeyConstraint(columns=("a", "b"), refcolumns=("organization.a", x)),
            )
        """
        self.assertCodemod(before, after, rename_table=TABLES)

    def test_secondary_references_but_not_definitions(self) -> None:
        before = """
            user_roles = Table(
                "user_roles", metadata, Column("org_id", ForeignKey("organizations.id"))
            )
            class Organization(Base):
                __tablename__ = "organizations"
                a = relationship("Role", secondary="user_roles")
                b = relationship("Role", secondary="auth.user_roles")
                c = relationship("Role", secondary=user_roles)
        """
        after = """
            user_roles = Table(
                "user_roles", metadata, Column("org_id", ForeignKey("organization.id"))
            )
            class Organization(Base):
                __tablename__ = "organizations"
                a = relationship("Role", secondary="user_role")
                b = relationship("Role", secondary="auth.user_role")
                c = relationship("Role", secondary=user_roles)
        """
        self.assertCodemod(before, after, rename_table=TABLES)


class TestNoOpsAndLiterals(CodemodTest):
    TRANSFORM = RenameStringRefsCommand

    def test_mentions_outside_references_are_untouched(self) -> None:
        before = '''
            """Models that replaced MVPUser and organizations.id."""
            # relationship("MVPUser"), ForeignKey("organizations.id")
            LABEL = "MVPUser"
            log("MVPUser", "organizations.id")
            users = relationship(f"MVPUser", primaryjoin=f"{MVPUser}.id == A.uid")
            other = relationship("MVP" "User", order_by=b"MVPUser.id")
            orgs = Table("organizations", metadata)

            class Thing(Base):
                """Points at MVPUser via organizations.id."""
                __tablename__ = "organizations"
                owner = relationship(MVPUser, secondary=user_roles)
        '''
        self.assertCodemod(before, before, rename_class=CLASSES, rename_table=TABLES)

    def test_noop_returns_the_same_tree(self) -> None:
        tree = cst.parse_module(b"# MVPUser\nx = relationship('User')\r\n")
        command = RenameStringRefsCommand(CodemodContext(), rename_class=CLASSES)
        self.assertIs(command.transform_module_impl(tree), tree)

    def test_second_run_changes_nothing(self) -> None:
        source = textwrap.dedent("""\
            a = relationship("MVPUser", primaryjoin="MVPUser.id == Org.uid")
            b = Column(ForeignKey("organizations.id"), secondary="user_roles")
            """).encode()
        kwargs = {"rename_class": CLASSES, "rename_table": TABLES}
        once = run_bytes(source, **kwargs)
        self.assertNotEqual(once, source)
        self.assertEqual(run_bytes(once, **kwargs), once)

    def test_quote_styles_and_prefixes(self) -> None:
        before = """
            a = relationship('MVPUser')
            b = relationship("MVPUser")
            c = relationship('''MVPUser''')
            d = relationship(\"\"\"MVPUser\"\"\")
            e = relationship(r'MVPUser', order_by=R"MVPUser.name")
            f = relationship(u"MVPUser")
            g = relationship(b"MVPUser")
        """
        after = """
            a = relationship('User')
            b = relationship("User")
            c = relationship('''User''')
            d = relationship(\"\"\"User\"\"\")
            e = relationship(r'User', order_by=R"User.name")
            f = relationship(u"User")
            g = relationship(b"MVPUser")
        """
        self.assertCodemod(before, after, rename_class=CLASSES)

    def test_crlf_and_bom_are_kept(self) -> None:
        source = (
            b"\xef\xbb\xbf# models\r\n"
            b"user = relationship('MVPUser')\r\n"
            b"org_id = Column(ForeignKey('organizations.id'))\r\n"
        )
        expected = source.replace(b"'MVPUser'", b"'User'").replace(
            b"organizations.id", b"organization.id"
        )
        got = run_bytes(source, rename_class=CLASSES, rename_table=TABLES)
        self.assertEqual(got, expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({}, "nothing to do", id="nothing to do"),
        pytest.param(
            {"rename_class": ["MVPUser"]}, "rename_class: expected OLD=NEW", id="no ="
        ),
        pytest.param(
            {"rename_class": ["A=B=C"]}, "rename_class: expected OLD=NEW", id="two ="
        ),
        pytest.param(
            {"rename_class": "A=B"}, "rename_class: expected a list", id="bare str"
        ),
        pytest.param(
            {"rename_class": ["1A=B"]}, "rename_class: '1A' is not a class", id="digit"
        ),
        pytest.param(
            {"rename_class": ["A=class"]}, "rename_class: 'class'", id="keyword"
        ),
        pytest.param(
            {"rename_class": ["A.B=C"]}, "rename_class: 'A.B'", id="dotted class"
        ),
        pytest.param(
            {"rename_class": {"A": 3}}, "rename_class: 3 is not", id="mapping value"
        ),
        pytest.param(
            {"rename_class": ["A=A"]}, "rename_class: A=A renames", id="to itself"
        ),
        pytest.param(
            {"rename_class": ["A=B", "A=C"]},
            "rename_class: 'A' is given two",
            id="twice",
        ),
        pytest.param(
            {"rename_table": ["a.b=c"]},
            "rename_table: 'a.b' is not a table",
            id="table",
        ),
        pytest.param(
            {"fix_foreign_key": ["orgs=org.id"]}, "fix_foreign_key: 'orgs'", id="no col"
        ),
        pytest.param(
            {"fix_foreign_key": ["a.b.c.d=a.b"]},
            "fix_foreign_key: 'a.b.c.d'",
            id="4 parts",
        ),
        pytest.param(
            {"fix_foreign_key": ["a.b=a.b-c"]},
            "fix_foreign_key: 'a.b-c'",
            id="not ident",
        ),
    ],
)
def test_bad_arguments_raise_value_error(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        RenameStringRefsCommand(CodemodContext(), **kwargs)


def test_mappings_and_valid_forms_are_accepted() -> None:
    command = RenameStringRefsCommand(
        CodemodContext(),
        rename_class={"MVPUser": "User"},
        fix_foreign_key=[" a.b.c = a.d.c "],
        rename_table=("x=y",),
    )
    assert command.classes == {"MVPUser": "User"}
    assert command.fk_fixes == {"a.b.c": "a.d.c"}
    assert command.tables == {"x": "y"}


FIXTURE = b"""\
from app import db


class Assessment(db.Model):
    org_id = db.Column(db.ForeignKey("organizations.id"))
    user = db.relationship('mvp_models.MVPUser', backref="assessments")
    skill = db.relationship("SECompetency", order_by="SECompetency.name")
""".replace(b"\n", b"\r\n")
FIXTURE_AFTER = b"""\
from app import db


class Assessment(db.Model):
    org_id = db.Column(db.ForeignKey("organization.id"))
    user = db.relationship('User', backref="assessments")
    skill = db.relationship("Competency", order_by="Competency.name")
""".replace(b"\n", b"\r\n")
UNTOUCHED = b"# MVPUser lives in organizations.id\r\nprint('MVPUser')\n"
COMMAND = "rename_string_refs.RenameStringRefsCommand"


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m libcst.tool codemod COMMAND --no-format -j 1 ARGS`` from the repo root."""
    argv = [sys.executable, "-m", "libcst.tool", "codemod", COMMAND, "--no-format"]
    return subprocess.run(
        [*argv, "-j", "1", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_libcst_tool_cli(tmp_path: Path) -> None:
    models, other = tmp_path / "models.py", tmp_path / "other.py"
    models.write_bytes(FIXTURE)
    other.write_bytes(UNTOUCHED)
    result = run_tool(
        *(
            "--rename-class",
            "MVPUser=User",
            "--rename-class",
            "SECompetency=Competency",
        ),
        *("--fix-foreign-key", "organizations.id=organization.id"),
        *("--rename-table", "organizations=organization", str(models), str(other)),
    )
    assert result.returncode == 0, result.stderr
    assert models.read_bytes() == FIXTURE_AFTER
    assert other.read_bytes() == UNTOUCHED
    warning = "WARNING: relationship('mvp_models.MVPUser') now targets 'User'"
    assert warning in result.stderr
    assert "Finished codemodding 2 files!" in result.stderr


def test_libcst_tool_cli_bad_argument_fails_and_writes_nothing(tmp_path: Path) -> None:
    models = tmp_path / "models.py"
    models.write_bytes(FIXTURE)
    result = run_tool("--rename-class", "MVPUser", str(models))
    assert result.returncode == 1
    assert "ValueError: rename_class: expected OLD=NEW, got 'MVPUser'" in result.stderr
    assert models.read_bytes() == FIXTURE
