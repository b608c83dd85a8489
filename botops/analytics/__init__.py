"""Conversations and what they say about a bot (DESIGN §13): reading them through one loop
(`conversations`), the flat fields of one (`fields`), the export file written (`export`, with
`parquet`) and read back (`exportfile`), summaries per bot (`summary`), version histories
(`history`) and outcomes per version with the statistics they rest on (`by_version`: Wilson
interval, two-proportion z-test; pure).

No printing, no rendering. Imports `client`, `support`, `model`, `errors`; never `sync` (its
sibling), `render`, `forge`, `usecases` or `cli`.
"""
