"""Data layer: canonical schema, loaders (CSV, Parquet, SQL), validation, importers, sample."""
