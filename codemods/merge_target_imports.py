"""One ``from target import ...`` statement where the rewrite left several.

Rewriting ``from app.user.models import User`` and ``from app.post.models import Post``
to the target gives two ``from app.models import`` lines (or one next to an import
of the target the file already had). ``MergeTargetImportsCommand`` folds such lines
into the first one when only import statements stand between them::

    python -m libcst.tool codemod merge_target_imports.MergeTargetImportsCommand \\
        --module app.models  FILES

It leaves alone what it cannot fold without losing something: a line with a
comment, a parenthesised import, a relative or star import, and any line that
would grow past ``MAX_LINE`` characters.
"""

from __future__ import annotations

import argparse

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand

MAX_LINE = 88


def _single_import(statement: cst.CSTNode) -> cst.Import | cst.ImportFrom | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1 \
            and isinstance(statement.body[0], (cst.Import, cst.ImportFrom)):
        return statement.body[0]
    return None


def _plain(statement: cst.SimpleStatementLine) -> bool:
    """No comment before or after it: folding it away loses nothing."""
    return statement.trailing_whitespace.comment is None and not any(
        line.comment for line in statement.leading_lines)


class MergeTargetImportsCommand(VisitorBasedCodemodCommand):
    """Fold consecutive ``from MODULE import ...`` lines into the first one."""

    DESCRIPTION = "Merge consecutive `from MODULE import` lines into one."

    @staticmethod
    def add_args(arg_parser: argparse.ArgumentParser) -> None:
        arg_parser.add_argument("--module", dest="module", required=True,
                                help="the dotted module whose imports are merged")

    def __init__(self, context: CodemodContext, module: str) -> None:
        super().__init__(context)
        if not module or not all(p.isidentifier() for p in module.split(".")):
            raise ValueError(f"module: {module!r} is not a dotted module name")
        self.target = module

    def _ours(self, node: cst.CSTNode) -> bool:
        imp = _single_import(node)
        return (isinstance(imp, cst.ImportFrom) and not imp.relative and imp.module is not None
                and not isinstance(imp.names, cst.ImportStar) and imp.lpar is None
                and cst.Module([]).code_for_node(imp.module) == self.target)

    def _fold(self, body):
        out: list = []
        first: int | None = None  # index in `out` of the run's first import of the module
        for statement in body:
            imp = _single_import(statement)
            if imp is None:
                first = None
            elif self._ours(statement) and first is not None and _plain(statement):
                merged = self._merged(out[first], imp)
                if merged is not None:
                    out[first] = merged
                    continue
            elif self._ours(statement) and first is None:
                first = len(out)
            out.append(statement)
        return out

    def _merged(self, head: cst.SimpleStatementLine, extra: cst.ImportFrom):
        imp = head.body[0]
        have = [a for a in imp.names]
        seen = {cst.Module([]).code_for_node(a.with_changes(comma=cst.MaybeSentinel.DEFAULT))
                for a in have}
        for alias in extra.names:
            text = cst.Module([]).code_for_node(alias.with_changes(comma=cst.MaybeSentinel.DEFAULT))
            if text not in seen:
                seen.add(text)
                have.append(alias)
        names = [a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                 for a in have[:-1]] + [have[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)]
        folded = head.with_changes(body=[imp.with_changes(names=names)])
        line = cst.Module([]).code_for_node(folded).splitlines()[-1]
        return folded if len(line) <= MAX_LINE else None

    def leave_IndentedBlock(self, original: cst.IndentedBlock,
                            updated: cst.IndentedBlock) -> cst.IndentedBlock:
        return updated.with_changes(body=self._fold(updated.body))

    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        return updated.with_changes(body=self._fold(updated.body))


__all__ = ["MergeTargetImportsCommand"]
