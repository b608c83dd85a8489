"""Renderers: pure functions from plain data (plans, reports, conversations) to text."""
