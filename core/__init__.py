"""The toolkit every app may use. It imports no project app (see docs/architecture.md)."""
