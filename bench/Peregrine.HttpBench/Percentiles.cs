namespace Peregrine.HttpBench;

/// <summary>The nearest-rank percentile every table of this bench reports (p50, p90, p99 alike).</summary>
internal static class Percentiles
{
    /// <summary>The value at rank ⌈p·n⌉ of <paramref name="values"/> (sorted in place); 0 when there are none.</summary>
    public static double Of(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        return values[(int)Math.Min(values.Count - 1, Math.Ceiling(p * values.Count) - 1)];
    }
}
