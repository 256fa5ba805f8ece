import statistics


def summarize(values, digits):
    """A summary of `values`; raises statistics.StatisticsError for an empty list."""
    return {
        "count": len(values),
        "mean": round(statistics.fmean(values), digits),
        "median": statistics.median(values),
        "stdev": round(statistics.stdev(values), digits) if len(values) > 1 else 0.0,
    }
