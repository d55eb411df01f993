"""libcst codemods used by `unify apply`; each also runs under `python -m libcst.tool codemod`.

One command per module: ``<snake_name>.<CamelName>Command``.
"""
