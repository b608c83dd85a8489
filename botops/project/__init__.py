"""The project as files on disk: `settings` (botops.yaml, the target and its one precedence),
`environments` (choosing one, per-environment credentials), `loader` (resource files into
`Resources`, every problem at once), `overrides` (the document one environment sees), `guards`,
and `schemafiles` (the JSON Schemas written into a project, the modeline of every file).

What a kind is comes from `botops.kinds`. Imports `kinds`, `client.urls`, `support`, `model`,
`errors`.
"""
