"""Diagnostic records and the registry of codes (documented in docs/checks.md)."""

from __future__ import annotations

from dataclasses import dataclass

CODES: dict[str, tuple[str, str]] = {
    # code: (name, severity)
    "U001": ("parse-error", "error"),
    "U101": ("duplicate-class", "error"),
    "U102": ("duplicate-table", "error"),
    "U103": ("fk-unknown-table", "error"),
    "U104": ("fk-unknown-column", "error"),
    "U105": ("fk-type-mismatch", "error"),
    # a finding that depends on columns built by calls unify cannot evaluate
    "U106": ("columns-unknown", "note"),
    "U201": ("relationship-unknown-class", "error"),
    "U202": ("back-populates-missing", "error"),
    "U203": ("back-populates-mismatch", "error"),
    "U204": ("relationship-no-fk-path", "error"),
    "U205": ("secondary-unknown", "error"),
    "U301": ("circular-import", "error"),
    "U302": ("star-import", "warning"),
    "U303": ("missing-module", "error"),
    "U304": ("missing-name", "error"),
    "U305": ("dynamic-import", "warning"),
    # U4xx: the models against a live database (unify check --database URL)
    "U401": ("table-without-model", "error"),
    "U402": ("model-without-table", "error"),
    "U403": ("column-missing-in-model", "error"),
    "U404": ("column-missing-in-database", "error"),
    "U405": ("column-type-mismatch", "error"),
    "U406": ("nullable-mismatch", "warning"),
    "U407": ("default-mismatch", "warning"),
    "U408": ("unique-mismatch", "warning"),
    "U409": ("foreign-key-mismatch", "error"),
    "U410": ("check-constraint-mismatch", "warning"),
    "U411": ("index-mismatch", "warning"),
}


@dataclass(frozen=True, order=True)
class Diagnostic:
    path: str
    line: int
    code: str
    subject: str
    message: str
    hint: str

    @property
    def name(self) -> str:
        return CODES[self.code][0]

    @property
    def severity(self) -> str:
        return CODES[self.code][1]

    @property
    def key(self) -> str:
        """``CODE path subject``: stable across line shifts (used by the corpus tests)."""
        return f"{self.code} {self.path} {self.subject}"

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "subject": self.subject,
            "message": self.message,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}\n    hint: {self.hint}"


def select(
    diagnostics: list[Diagnostic], select: tuple[str, ...], ignore: tuple[str, ...]
) -> list[Diagnostic]:
    """Keep codes starting with a ``select`` prefix, drop those with an ``ignore`` prefix."""
    kept = [d for d in diagnostics if not select or d.code.startswith(select)]
    return [d for d in kept if not (ignore and d.code.startswith(ignore))]


def validate_codes(prefixes: tuple[str, ...]) -> list[str]:
    """The prefixes that match no known code (for a clear usage error)."""
    return [p for p in prefixes if not any(code.startswith(p) for code in CODES)]
