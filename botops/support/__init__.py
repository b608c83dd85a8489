"""Helpers with no botops knowledge: atomic file writes (`files`), calls to git (`git`), YAML
read keeping every value's position (`yamlpos`, with `Issue`, the one problem-at-a-position
type) and written as people write it (`yamlwrite`), JSON Schema problems in words and
did-you-mean (`schemacheck`), and text helpers (`text`: `text_or_none`, `printable`).

Imports only `botops.errors`; `client` (its sibling) never, nor any layer above.
"""
