"""RewritePackageAttrsCommand: before/after pairs, the no-op, name clashes, bad arguments."""

from __future__ import annotations

import pytest
from libcst.codemod import CodemodContext, CodemodTest

from codemods.rewrite_package_attrs import RewritePackageAttrsCommand

TOKEN = {"accounts.models.Token": ("app.models", "Token")}


class TestRewritePackageAttrs(CodemodTest):
    TRANSFORM = RewritePackageAttrsCommand

    def test_module_level_package_import(self) -> None:
        before = """
            from app.modules import accounts  # the package


            def test_token():
                token = accounts.models.Token(value="x")
                assert accounts.models.Token.query.count() == 0
        """
        after = """
            from app.modules import accounts  # the package
            from app.models import Token


            def test_token():
                token = Token(value="x")
                assert Token.query.count() == 0
        """
        self.assertCodemod(before, after, uses=TOKEN)

    def test_lazy_import_stays_lazy(self) -> None:
        before = """
            def make_shell_context():
                from app import user

                return {"User": user.models.User}
        """
        after = """
            def make_shell_context():
                from app import user
                from app.models import User

                return {"User": User}
        """
        self.assertCodemod(before, after, uses={"user.models.User": ("app.models", "User")})

    def test_renamed_class_and_import_statement(self) -> None:
        before = """
            import app.user

            USER = app.user.models.MVPUser
        """
        after = """
            import app.user
            from app.models import User

            USER = User
        """
        self.assertCodemod(before, after, uses={"app.user.models.MVPUser": ("app.models", "User")})

    def test_name_already_imported_from_the_target(self) -> None:
        before = """
            from app.models import Token
            from app.modules import accounts

            TOKENS = (Token, accounts.models.Token)
        """
        after = """
            from app.models import Token
            from app.modules import accounts

            TOKENS = (Token, Token)
        """
        self.assertCodemod(before, after, uses=TOKEN)

    def test_clash_is_left_with_a_warning(self) -> None:
        before = """
            from app.modules import accounts

            Token = "a local name"
            TOKEN = accounts.models.Token
        """
        self.assertCodemod(before, before, uses=TOKEN, expected_warnings=[
            "accounts.models.Token: left as it is, Token already names something else here"])

    def test_noop_without_uses(self) -> None:
        before = """
            from app.modules import accounts

            accounts.views.blueprint
            other.models.Token
        """
        self.assertCodemod(before, before, uses=TOKEN)


def test_bad_use_is_refused() -> None:
    with pytest.raises(ValueError, match="expected pkg.old.Name"):
        RewritePackageAttrsCommand(CodemodContext(), uses=["accounts.Token=app.models:Token"])
    with pytest.raises(ValueError, match="expected pkg.old.Name"):
        RewritePackageAttrsCommand(CodemodContext(), uses={"a.b": ("app.models", "Token")})


def test_cli_form_of_uses() -> None:
    command = RewritePackageAttrsCommand(
        CodemodContext(), uses=["accounts.models.Token=app.models:Token"])
    assert command.uses == TOKEN
