"""Apply's `migration` step: the plan's schema diff as a revision (or as SQL).

The diff is the one verify's schema check explains with the plan's entries:
the declared schema of the sources (and whatever sat at the target and compat
paths) before, and of the same paths after the merge.
"""

from __future__ import annotations

from dataclasses import dataclass

from unify import migration


@dataclass(frozen=True)
class MigrationResult:
    ops: tuple  # migration.Op records
    sql: str  # the PostgreSQL DDL of upgrade()
    path: str = ""  # the revision file written ("" without Alembic or without changes)
    revision: str = ""
    down_revision: str | None = None
    summary: str = ""
    body: str = ""
    undecided: tuple[str, ...] = ()  # lossy casts no plan entry accepted

    @property
    def lossy(self) -> tuple[str, ...]:
        return tuple(migration.describe(op) for op in self.ops
                     if isinstance(op, migration.AlterType) and op.loss)


def schema_pair(plan, before_inv, after_inv):
    from unify.merge import helper_renames
    from unify.verify import static_schema

    paths = set(plan.sources) | {plan.target, plan.compat}
    renames = {p: helper_renames(plan, p) for p in plan.sources}
    return static_schema(before_inv, paths, renames), static_schema(after_inv, paths)


def _from_database(plan, after_inv) -> tuple[set[str], set[tuple[str, str]]]:
    """Tables and (table, column) the database already has: the plan's stubs and columns."""
    existing = {s.table for s in plan.stubs}
    owners = {m.name: m.qualified_table for m in after_inv.models if m.qualified_table}
    return existing, {(owners.get(c.model, ""), c.attr) for c in plan.columns if c.enabled}


def ops_for(plan, before_inv, after_inv) -> list:
    before, after = schema_pair(plan, before_inv, after_inv)
    return migration.compare(before, after, *_from_database(plan, after_inv))


def check(result: MigrationResult | None, plan, work, before_inv, after_inv):
    """Verification line `migration`: the written revision's upgrade() takes the database
    before (as the old models let it be) to the unified models' schema, and its
    downgrade() back, op by op (:func:`unify.migration.simulate`)."""
    from unify.verify import Check

    if result is None or not result.path:
        return None
    before, after = schema_pair(plan, before_inv, after_inv)
    existing, added = _from_database(plan, after_inv)
    ops = migration.compare(before, after, existing, added)
    start, end = migration.expected_states(ops, before, after, existing, added)
    try:
        text = (work / result.path).read_text(encoding="utf-8")
        up = migration.simulate(text, "upgrade", start)
        down = migration.simulate(text, "downgrade", up)
    except (OSError, SyntaxError, ValueError, KeyError, IndexError, StopIteration) as exc:
        return Check("migration", False, f"{result.path}: cannot follow the revision "
                     f"({type(exc).__name__}: {exc})")
    wrong = [f"upgrade(): {line}" for line in _differences(up, end)]
    wrong += [f"downgrade(): {line}" for line in _differences(down, start)]
    if wrong:
        return Check("migration", False, f"{result.path} does not take the schema where "
                     "the models say", tuple(wrong))
    return Check("migration", True, f"revision {result.revision}: upgrade() takes the "
                 f"declared schema to the unified models' ({len(result.ops)} ops), "
                 "downgrade() back")


def _differences(got, want) -> list[str]:
    from unify.verify import schema_changes

    return [f"{t}{'.' + c if c else ''}: {d}" for t, c, d in schema_changes(want, got)]


def _accepted(plan, op) -> bool:
    return any(f.kind == "column_type" and f.enabled and f.attr == op.column
               and f.data_loss == "accept" for f in plan.fixes)


def run(ctx) -> MigrationResult:
    import subprocess

    from unify import apply as apply_steps
    from unify.inventory import build_inventory

    # the context's scan with the model files the earlier steps wrote read again: the
    # schema is all this step compares (one scan per apply, each file parsed once: issue 14)
    touched = subprocess.run(["git", "diff", "--name-only", "-z", "--no-renames", ctx.base],
                             cwd=ctx.work, capture_output=True, check=True
                             ).stdout.decode("utf-8", "surrogateescape").split("\0")
    models = set(ctx.plan.sources) | {ctx.plan.target, ctx.plan.compat}
    after = build_inventory(apply_steps.rescan(ctx, [p for p in touched if p in models]))
    ops = ops_for(ctx.plan, ctx.inventory, after)
    sql = migration.render_sql(ops)
    real = [op for op in ops if not isinstance(op, migration.Kept)]
    undecided = tuple(migration.describe(op) for op in real
                      if isinstance(op, migration.AlterType) and op.loss
                      and not _accepted(ctx.plan, op))
    lines = "\n".join(f"- {migration.describe(op)}" for op in ops)
    setup = migration.find_alembic(ctx.work)
    if setup is None:
        body = (f"No Alembic in the repository: {len(real)} schema changes, their SQL is in the "
                "PR description." + (f"\n\n{lines}" if lines else ""))
        return MigrationResult(tuple(ops), sql, summary="no Alembic: the schema changes as SQL "
                               "in the PR description", body=body, undecided=undecided)
    if not real:
        return MigrationResult(tuple(ops), sql, summary="no schema change to migrate",
                               body=f"Alembic at {setup.versions}: the plan changes no table."
                               + (f"\n\n{lines}" if lines else ""))
    ctx.notes += [f"the migration casts without a decision in the plan: {u} (review it "
                  "before `alembic upgrade`)" for u in undecided]
    down = migration.current_head(ctx.work, setup)
    revision = ctx.plan_id
    path = f"{setup.versions}/{revision}_unify_models.py"
    accepted = not undecided
    ctx.write(path, migration.render_revision(ops, revision, down, ctx.plan_id, accepted))
    body = (f"Revision {revision} (revises {down or 'nothing: the first revision'}) in "
            f"{setup.versions}: {len(real)} operations, each with its downgrade.\n\n{lines}")
    return MigrationResult(tuple(ops), sql, path, revision, down,
                           f"add the Alembic revision {revision}", body)
