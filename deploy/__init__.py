"""Running netcompare as several instances behind nginx (docs/deployment.md)."""
