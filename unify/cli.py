"""The command line: parse options, call :mod:`unify.api`, print. No logic here."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from typing import Sequence

import click

# Only light modules here: `unify --version` and `--help` import nothing else, and
# api.py imports the heavy stages (libcst, black, GitPython) where they are used.
from unify import __version__, api
from unify.diagnostics import CODES, validate_codes
from unify.errors import UnifyError
from unify.output import (
    apply_json,
    render_finalize,
    render_rollback,
    render_status,
    render_apply,
    inventory_json,
    plan_json,
    render_check,
    render_plan,
    render_problems,
    render_scan,
)
from unify.plan import RETIRE_MODES

repo_option = click.option(
    "--repo",
    type=str,
    default=None,
    metavar="PATH",
    help="The git work tree to work on (default: the one enclosing PATH or the current folder).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON (docs/json-schema.md).")


def _database_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``env:NAME`` reads the URL from that environment variable, so that its password
    is not on the command line (where `ps` shows it to every user of the machine)."""
    if value is None or not value.startswith("env:"):
        return value
    name = value[len("env:"):]
    url = os.environ.get(name)
    if not name or not url:
        raise click.BadParameter(f"environment variable {name or '(none)'} is not set or empty")
    return url


database_option = click.option(
    "--database", metavar="URL", callback=_database_url,
    help="Also read this live database (SQLAlchemy URL: sqlite:///app.db, "
         "postgresql://user:password@host/name; or env:NAME to read it from the "
         "environment variable NAME, which keeps the password out of `ps`; needs "
         "`pip install 'unify-models[db]'`). Its password is never shown.",
)


def _codes(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...]:
    prefixes = tuple(p.strip().upper() for p in (value or "").split(",") if p.strip())
    unknown = validate_codes(prefixes)
    if unknown:
        raise click.BadParameter(
            f"unknown code {', '.join(unknown)} (known: {', '.join(CODES)})"
        )
    return prefixes


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="unify")
def cli() -> None:
    """Unify overlapping ORM model files into one sectioned models module.

    \b
    unify scan   [PATH]          inventory: models, model modules, dependents
    unify check  [PATH]          lint the models: what is broken today
    unify plan   [PATH]          write the editable merge plan (plans/models.toml)
    unify plan --check FILE      validate a hand-edited plan
    unify apply PLAN --branch B  execute it: one commit per step on a new branch
    unify status                 where each unify branch stands
    unify rollback               undo an apply (a backup ref keeps everything)
    unify finalize               drop the compat module once nothing imports it
    unify demo [CASE]            all of it on a bundled example, in a scratch repository

    Every command works on the git work tree around PATH (or --repo), prints a
    summary for people and --json for machines, and exits 0 (ok), 1 (findings
    or refused) or 2 (usage or input error).
    """


@cli.command()
@click.argument("path", required=False)
@repo_option
@json_option
def scan(path: str | None, repo: str | None, as_json: bool) -> None:
    """Inventory the ORM models under PATH and every file that imports them.

    Files come from `git ls-files` (so .gitignore is honoured); PATH narrows the
    scope. Read-only.

    \b
    Examples:
      unify scan                      # the whole repository
      unify scan src/backend          # one folder
      unify scan --json > inventory.json
    """
    from unify.analyze import analyze

    inv = api.inventory(path, repo)
    diagnostics = [d for d in analyze(inv) if d.code == "U001"]
    if as_json:
        click.echo(json.dumps(inventory_json(inv, diagnostics), indent=2))
    else:
        click.echo(render_scan(inv, diagnostics))


@cli.command()
@click.argument("path", required=False)
@repo_option
@json_option
@click.option(
    "--select", "select_codes", callback=_codes, metavar="CODES",
    help="Only these codes or prefixes, comma-separated (e.g. U1,U201).",
)
@click.option(
    "--ignore", "ignore_codes", callback=_codes, metavar="CODES",
    help="Skip these codes or prefixes, comma-separated.",
)
@database_option
def check(
    path: str | None,
    repo: str | None,
    as_json: bool,
    select_codes: tuple[str, ...],
    ignore_codes: tuple[str, ...],
    database: str | None,
) -> None:
    """Lint the models under PATH: what is broken today. Read-only.

    Finds duplicate classes and tables, foreign keys to missing tables or with
    mismatched types, relationships to missing classes, unpaired
    back_populates, relationships without a foreign-key path, circular and
    star imports, and imports of missing modules or names. With --database,
    also compares the models with a live database (U401-U411: tables without
    a model, missing columns, type/nullable/default/unique/FK/check/index
    differences). Codes and fixes: docs/checks.md. Exit 0 when clean, 1 with
    findings, 2 on bad input.

    \b
    Examples:
      unify check
      unify check src/backend --select U1,U2
      unify check --json | jq '.diagnostics[].code'
      unify check --database env:DATABASE_URL --select U4
    """
    result = api.check(path, repo, select_codes, ignore_codes, database)
    if as_json:
        data = inventory_json(result.inventory, list(result.diagnostics))
        if result.database:
            data["database"] = result.database
        click.echo(json.dumps(data, indent=2))
    else:
        click.echo(render_check(list(result.diagnostics), result.inventory.files_scanned))
    sys.exit(result.return_code)


@cli.command()
@click.argument("path", required=False)
@repo_option
@json_option
@click.option("-o", "--output", metavar="FILE",
              help="Where to write the plan (default: plans/models.toml in the repository; "
                   "- for stdout only).")
@click.option("--target", metavar="FILE",
              help="The unified module to create (default: a models.py: the models/ "
                   "package's __init__.py when most sources live there, else the one "
                   "source named models.py, else models.py in the deepest folder holding "
                   "every source; an existing file there is merged in as a source).")
@click.option("--compat", metavar="FILE",
              help="The temporary compatibility module (default: models_compat.py beside "
                   "the target).")
@click.option("--source", "sources", multiple=True, metavar="FILE",
              help="A model file to merge (repeatable; default: every model file in PATH).")
@click.option("--retire", type=click.Choice(RETIRE_MODES), default="shim", show_default=True,
              help="What becomes of the old model files.")
@click.option("--force", is_flag=True, help="Overwrite an existing plan file.")
@click.option("--check", "check_file", metavar="FILE",
              help="Validate a hand-edited plan against the current tree instead of "
                   "writing one.")
@database_option
def plan(
    path: str | None, repo: str | None, as_json: bool, output: str | None,
    target: str | None, compat: str | None, sources: tuple[str, ...], retire: str,
    force: bool, check_file: str | None, database: str | None,
) -> None:
    """Write the merge plan: sections, conflicts, aliases, fixes. Changes no code.

    The plan is a commented TOML file to review and edit before `unify apply`.
    Same repository, same plan, byte for byte. Exit 0 when the plan is ready,
    1 when a conflict needs your decision (resolution = "?") or --check finds
    problems, 2 on bad input. With --database, tables no model maps get a
    generated model class ([[stubs]], placed in a section) and columns the
    database has get added to their models ([[columns]]).

    \b
    Examples:
      unify plan                                  # writes plans/models.toml
      unify plan src/backend --target src/backend/models.py -o plans/backend.toml
      unify plan --check plans/models.toml        # after editing it
      unify plan --database env:DATABASE_URL      # plus models for unmapped tables
    """
    if check_file:
        loaded, result, _ = api.load_plan(check_file, repo)
        if as_json:
            data = plan_json(loaded, check_file, result.problems) if loaded else {
                "path": check_file, "problems": [vars(p) for p in result.problems]}
            click.echo(json.dumps(data, indent=2))
        else:
            click.echo(render_problems(check_file, result.problems))
        sys.exit(result.return_code)
    made = api.make_plan(path, repo, output, target, compat, sources, retire, force,
                         database)
    if as_json:
        click.echo(json.dumps(plan_json(made.plan, made.path), indent=2))
    elif output == "-":
        click.echo(made.text, nl=False)
    else:
        click.echo(render_plan(made.plan, made.path))
    sys.exit(1 if made.plan.open_decisions else 0)


@cli.command()
@click.argument("plan_file", metavar="PLAN")
@click.option("--branch", default="unify/models", show_default=True,
              help="The new branch the steps are committed to (must not exist).")
@repo_option
@click.option("--dry-run", is_flag=True,
              help="Show the diff of every step; create no branch, write no file.")
@click.option("--no-verify", is_flag=True, help="Skip verification (not recommended).")
@click.option("--python", metavar="PATH",
              help="The project's interpreter for the runtime check (default: this one).")
@click.option("--no-migration", is_flag=True,
              help="No Alembic revision (or SQL in the PR description) for the schema changes.")
@click.option("-q", "--quiet", is_flag=True, help="No progress lines.")
@json_option
def apply(plan_file: str, branch: str, repo: str | None, dry_run: bool, no_verify: bool,
          python: str | None, no_migration: bool, quiet: bool, as_json: bool) -> None:
    """Execute PLAN: merge the models, one commit per step on a new branch.

    The steps are committed in a temporary work tree, so your branch, index and
    files are never touched: 1 target module, 2 compat module, 3 rewrite
    imports, 4 retire old files, 5 migration (an Alembic revision of the schema
    changes, or their SQL in the PR description), 6 format. Then the result is verified
    (compile, imports, SQLAlchemy mappers on SQLite, schema equivalence) and a
    PR description is written next to the plan. Exit 1 when verification
    fails (the branch stays for inspection) or the plan/repository is refused.

    \b
    Examples:
      unify apply plans/models.toml --branch unify/models
      unify apply plans/models.toml --dry-run | less
      unify apply plans/models.toml --python .venv/bin/python
    """
    progress = (lambda m: None) if quiet or as_json else (lambda m: click.echo(m, err=True))
    result = api.apply_plan(plan_file, branch, repo, dry_run, not no_verify, python, progress,
                            migration=not no_migration)
    if as_json:
        click.echo(json.dumps(apply_json(result), indent=2))
    elif dry_run:
        click.echo("\n".join(result.diffs))
    else:
        click.echo(render_apply(result))
    sys.exit(result.return_code)


@cli.command()
@repo_option
@json_option
def status(repo: str | None, as_json: bool) -> None:
    """Where each unify branch stands: plan, base, steps, verification, merged or not.

    Read from the commits' trailers alone, so a teammate who only fetched the
    branch sees the same. Says what to do next.

    \b
    Examples:
      unify status
      unify status --json
    """
    runs = api.repo_status(repo)
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(r) for r in runs], indent=2))
    else:
        click.echo(render_status(runs))


@cli.command()
@repo_option
@json_option
@click.option("--branch", metavar="NAME", help="The unify branch (needed when there are several).")
@click.option("--to-step", type=click.IntRange(min=0), metavar="N",
              help="Keep steps 1..N, undo the rest (0: back to the base).")
@click.option("--keep-branch", is_flag=True,
              help="Reset the branch to its base instead of deleting it.")
def rollback(repo: str | None, as_json: bool, branch: str | None, to_step: int | None,
             keep_branch: bool) -> None:
    """Undo an apply, without losing anything.

    Before the PR merged: delete the unify branch (or reset it to step N).
    After it merged: revert commits on the current branch, never rewriting
    history. Always first keeps a backup ref refs/unify/backup/<branch>-<time>
    and prints how to undo the rollback. Refuses a dirty work tree.

    \b
    Examples:
      unify rollback
      unify rollback --to-step 2
      unify rollback --branch unify/models --keep-branch
    """
    result = api.roll_back(repo, branch, to_step, keep_branch)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(result), indent=2))
    else:
        click.echo(render_rollback(result))


@cli.command()
@repo_option
@json_option
@click.option("--branch", default="unify/finalize", show_default=True,
              help="The new branch the removal is committed to.")
def finalize(repo: str | None, as_json: bool, branch: str) -> None:
    """Remove the compat module and the shims once nothing imports them.

    Lists every remaining importer (exit 1) instead when some are left.

    \b
    Examples:
      unify finalize
      unify finalize --branch unify/finalize-models
    """
    result = api.finalize(repo, branch)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(result), indent=2))
    else:
        click.echo(render_finalize(result))
    sys.exit(1 if result.importers else 0)


@cli.command()
@click.argument("case", required=False, default="seqpt_like")
@click.option("--dir", "folder", metavar="DIR",
              help="Where to create the demo repository (default: a new temporary folder).")
def demo(case: str, folder: str | None) -> None:
    """Run check, plan and apply on a bundled corpus case (default: seqpt_like).

    The case is copied into a new git repository (your checkout is not
    touched) and every command is shown with its output.

    \b
    Examples:
      unify demo
      unify demo package_models --dir /tmp/unify-demo
    """
    from unify.demo import run_demo

    sys.exit(run_demo(case, folder, lambda args: main(args), click.echo))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code. Errors become one line, never a traceback."""
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="unify",
                 standalone_mode=False)
    except UnifyError as exc:
        hint = f" ({exc.hint})" if exc.hint else ""
        click.echo(f"unify: error: {exc.message}{hint}", err=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:  # one line, not click's three-line usage block
        ctx = getattr(exc, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        message = " ".join(exc.format_message().split())
        click.echo(f"unify: error: {message}{where}", err=True)
        return 2 if isinstance(exc, click.UsageError) else exc.exit_code
    except click.Abort:
        click.echo("unify: aborted", err=True)
        return 1
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # an internal error: keep the traceback, show one line
        import tempfile

        if type(exc).__name__ == "GitCommandError":  # git refused: its first line
            from unify.gitops import one_line
            from unify.masking import mask

            click.echo(f"unify: error: git {' '.join(map(str, exc.command[1:2]))} failed: "
                       f"{mask(one_line(exc))}", err=True)
            return 2
        import traceback

        from unify.masking import mask

        text = mask(traceback.format_exc())
        try:
            with tempfile.NamedTemporaryFile("w", prefix="unify-crash-", suffix=".log",
                                             delete=False) as log:
                log.write(text)
        except (OSError, ValueError):  # a full disk, `ulimit -f`: the last line instead
            last = (text.strip().splitlines() or ["?"])[-1]
            click.echo(f"unify: internal error: {last} (the traceback could not be "
                       "saved; please report it)", err=True)
            return 3
        click.echo(f"unify: internal error; the traceback is in {log.name} "
                   "(please attach it to a bug report)", err=True)
        return 3
    return 0
