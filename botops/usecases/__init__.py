"""The use cases: one module per command (`validate`, `apply`, `import_`, `generate`,
`analytics`, `comment`, `init`) plus `session`, a run's target, clients and asyncio entry.

Data in, data out: a use case never prints, never renders and never imports click; it takes
callbacks for progress and returns a result that `botops.cli` renders. It may import every layer
below it (forge, render, sync, analytics, project, kinds, client, support, model, errors).
"""
