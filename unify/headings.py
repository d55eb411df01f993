"""The sources' own section headings: comment lines or banners above a group of models.

Real model files carry headings (``# Assessment Models``, ``# RAG-LLM Models``,
``# ===== DERIK'S MASTER DATA (READ-ONLY REFERENCES) =====``); whoever merges them
by hand keeps those as the sections. A heading is a comment block between two
top-level statements that is either a banner (a rule line of ``=``/``-``/``#``/``*``,
or ``# ==== TITLE ====``) or one short title-like line (no sentence punctuation).
It names the models from the next statement on, until the next heading; a heading
over code that is not a model (``# Constants``) ends the current section instead.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

RULE = re.compile(r"^#\s*([=\-#*~_]{3,})\s*$")
FRAMED = re.compile(r"^#\s*[=\-#*~]{3,}\s*(.*?)\s*[=\-#*~]{3,}\s*$")
NUMBERED = re.compile(r"(?i)^(section|part)\s+\w+\s*[:.\-]\s*")
PRAGMA = re.compile(r"(?i)^#\s*(noqa|type:|pylint|fmt:|flake8|isort|pragma|todo|fixme|xxx)")
MAX_TITLE = 60


def model_headings(text: str, models: set[str]) -> dict[str, str]:
    """Class name -> the heading it stands under, for the ``models`` of one source."""
    try:
        tree = ast.parse(text)
        comments = _comments(text)
    except (SyntaxError, ValueError, tokenize.TokenError):
        return {}
    found: dict[str, str] = {}
    current: str | None = None
    previous_end = 0
    for stmt in tree.body:
        start = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        title = _heading(comments, previous_end + 1, start - 1)
        is_model = isinstance(stmt, ast.ClassDef) and stmt.name in models
        if title is not None:
            current = title if is_model else None
        if is_model and current:
            found[stmt.name] = current
        previous_end = stmt.end_lineno or stmt.lineno
    return found


def _comments(text: str) -> dict[int, str]:
    """Line -> comment, for comments alone on their line at column 0."""
    found = {}
    for tok in tokenize.generate_tokens(io.StringIO(text).readline):
        if tok.type == tokenize.COMMENT and tok.start[1] == 0:
            found[tok.start[0]] = tok.string.rstrip()
    return found


def _heading(comments: dict[int, str], first: int, last: int) -> str | None:
    """The title of the last heading block between lines ``first`` and ``last``."""
    blocks: list[list[str]] = []
    gap = True
    for line in range(first, last + 1):
        if line in comments:
            if gap:
                blocks.append([])
            blocks[-1].append(comments[line])
            gap = False
        else:
            gap = True
    for block in reversed(blocks):
        title = _title(block)
        if title:
            return title
    return None


def _title(block: list[str]) -> str | None:
    framed = [m.group(1) for line in block if (m := FRAMED.match(line)) and m.group(1)]
    text = [line.lstrip("#").strip() for line in block if not RULE.match(line)]
    if framed:
        title = framed[0]
    elif len(text) == 1 and (len(block) > 1 or _title_like(block[0], text[0])):
        title = text[0]
    else:
        return None
    title = NUMBERED.sub("", title.strip(" =-#*~")).strip()
    if not title or len(title) > MAX_TITLE:
        return None
    return title[0] + title[1:].lower() if title.isupper() else title


def _title_like(line: str, text: str) -> bool:
    return bool(text) and not PRAGMA.match(line) and len(text.split()) <= 6 \
        and text[-1] not in ".:;,?!" and ":" not in text and "(" not in text[:1]


def key(title: str) -> str:
    """Titles that match across files: case, punctuation, remarks in parentheses and a
    trailing 'models' ignored."""
    bare = re.sub(r"\([^)]*\)", " ", title.lower()).strip() or title.lower()
    words = re.sub(r"[^a-z0-9]+", " ", bare).split()
    if len(words) > 1 and words[-1] in ("models", "model", "tables"):
        words = words[:-1]
    return " ".join(words)


def is_heading(block: list[str]) -> bool:
    """Is this comment block (lines with their ``#``) a section heading?"""
    return _title(block) is not None


def strip_heading_lines(leading_lines):
    """A statement's libcst ``leading_lines`` without the heading blocks in them: the
    target's section banners replace them (no empty banner left between classes)."""
    blocks: list[list] = [[]]
    for line in leading_lines:
        if line.comment is None:
            blocks.append([line])
            blocks.append([])
        else:
            blocks[-1].append(line)
    kept = []
    for block in blocks:
        comments = [line.comment.value for line in block if line.comment is not None]
        if comments and len(comments) == len(block) and is_heading(comments):
            continue
        kept += block
    return kept
