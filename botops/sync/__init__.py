"""Desired against live: the planner (read, diff, build the exact payload), the applier (the
stale re-read, one write, read-back), the plan file (`planfile`) and its JSON form
(`plan_json`), and import (`importer`: its I/O, live objects read and files written; `layout`:
live -> file text, pure; `env_layout`: ids edited into another environment's file for
`import --env`; `write_ids`: a created resource's id inserted into its file, `apply
--write-ids`).

What a kind is comes from `botops.kinds`. Imports `project`, `kinds`, `client`, `support`,
`model`, `errors`; never `analytics` (its sibling), `render`, `forge`, `usecases` or `cli`.
"""
