"""Storage: data-directory layout, lake writer, DuckDB connections, serving snapshot."""
