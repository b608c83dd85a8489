"""Desired against live: the planner (read, diff, build the exact payload), the applier (the
stale re-read, one write, read-back), the plan file and its JSON form, and import (`importer`
does the I/O, `layout` turns a live object into file text, `env_layout` edits ids into another
environment's file for `import --env`).

Written over `botops.kinds` specs only: nothing here names a kind. Imports `project`, `kinds`,
`client`, `support`, `model`, `errors`; never `render`, `forge`, `usecases` or `cli`.
"""
