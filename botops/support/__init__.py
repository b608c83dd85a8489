"""Helpers with no botops knowledge: atomic file writes (`files`), calls to git (`git`), YAML
documents that keep every value's position (`yamlpos`, with the one `Issue`), JSON Schema
problems in words and did-you-mean (`schemacheck`), and text helpers (`text`).

Imports only `botops.errors`.
"""
