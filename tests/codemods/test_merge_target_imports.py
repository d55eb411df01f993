"""MergeTargetImportsCommand: before/after pairs, no-ops, what it leaves alone."""

from __future__ import annotations

import pytest
from libcst.codemod import CodemodContext, CodemodTest

from codemods.merge_target_imports import MergeTargetImportsCommand


class TestMergeTargetImports(CodemodTest):
    TRANSFORM = MergeTargetImportsCommand

    def test_two_lines_become_one(self) -> None:
        before = """
            from app.models import Account
            from app.models import Invoice

            x = (Account, Invoice)
        """
        after = """
            from app.models import Account, Invoice

            x = (Account, Invoice)
        """
        self.assertCodemod(before, after, module="app.models")

    def test_across_other_imports_and_duplicates(self) -> None:
        before = """
            import os
            from app.models import Account as A  # the account
            import sys
            from app.models import Invoice, Account as A
        """
        after = """
            import os
            from app.models import Account as A, Invoice  # the account
            import sys
        """
        self.assertCodemod(before, after, module="app.models")

    def test_inside_a_function(self) -> None:
        before = """
            def load():
                from app.models import Account
                from app.models import Invoice
                return Account, Invoice
        """
        after = """
            def load():
                from app.models import Account, Invoice
                return Account, Invoice
        """
        self.assertCodemod(before, after, module="app.models")

    def test_left_alone(self) -> None:
        before = """
            from app.models import Account
            x = 1
            from app.models import Invoice
            from app.models import Refund  # noqa: a comment is kept on its line
            from app.models import (
                Payment,
            )
            from .models import Local
            from other.models import Account2
        """
        self.assertCodemod(before, before, module="app.models")

    def test_noop(self) -> None:
        before = """
            from app.models import Account, Invoice
        """
        self.assertCodemod(before, before, module="app.models")

    def test_too_long_is_left(self) -> None:
        names = ", ".join(f"Model{i}" for i in range(12))
        before = f"""
            from app.models import {names}
            from app.models import Other
        """
        self.assertCodemod(before, before, module="app.models")


def test_bad_module() -> None:
    with pytest.raises(ValueError, match="not a dotted module name"):
        MergeTargetImportsCommand(CodemodContext(), module="app..models")
