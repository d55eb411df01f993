"""Errors a user sees: one line, what is wrong and what to do, and an exit code."""

from __future__ import annotations


class UnifyError(Exception):
    """Base of every error the CLI turns into one clear line (no traceback)."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(UnifyError):
    """Bad input: a missing path, a folder outside git, a corrupt plan (exit 2)."""

    exit_code = 2


class Refused(UnifyError):
    """unify understood the request and declines it, e.g. a dirty tree (exit 1)."""

    exit_code = 1
