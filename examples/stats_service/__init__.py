"""Statistics over lists of numbers: a Python service package (standard library only)."""

import asyncio
import statistics

from .summary import summarize


def mean(values):
    """The arithmetic mean of a non-empty list of numbers."""
    return statistics.fmean(values)


def describe(values, *, digits=2):
    """Count, mean, median and standard deviation of `values`, rounded to `digits` (a keyword argument)."""
    return summarize(values, digits)


async def wait(seconds):
    """Sleeps without holding up other calls, then returns the seconds it slept."""
    await asyncio.sleep(seconds)
    return seconds
