"""Benchmarks of netcompare at England scale (not tests: they report numbers, never assert).

``python -m netcompare bench`` generates a data set with the sample generator, then runs the
timed steps in separate processes (see :mod:`bench.harness`), so that the peak memory it
reports is the memory of the measured work, not of the generator.
"""
