"""Conversations and what they say about a bot (DESIGN §13): reading conversations with their
flat fields (`conversations`), the export file (`exportfile`, `parquet`), summaries per bot
(`summary`), version histories (`history`), outcomes per version (`by_version`) and the pure
statistics they rest on (`statistics`: Wilson interval, two-proportion z-test).

No printing, no rendering. Imports `client`, `support`, `model`, `errors`; never `sync`,
`render`, `forge`, `usecases` or `cli`.
"""
