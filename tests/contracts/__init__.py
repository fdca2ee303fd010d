"""Contracts: the OpenAPI snapshot, the API fuzz run, the import rules and the query budgets."""
