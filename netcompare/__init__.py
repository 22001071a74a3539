"""netcompare: peer comparison of named GP practices within and across their networks."""

__version__ = "0.1.0"
