"""The SQL dialects the compiler emits (a module of its own so the command line can list them
without importing the compiler and sqlglot)."""

DIALECTS = ("duckdb", "postgres", "spark", "bigquery", "snowflake", "trino")
