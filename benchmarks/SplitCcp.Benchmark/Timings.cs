using System.Diagnostics;
using System.Globalization;

namespace SplitCcp.Benchmark;

/// <summary>Durations of repeated runs of one thing, after a few untimed warm-up runs.</summary>
internal sealed record Timings(string What, IReadOnlyList<TimeSpan> Samples)
{
    private const int WarmUp = 10;

    public TimeSpan Median => Percentile(0.5);

    public TimeSpan P95 => Percentile(0.95);

    public static async Task<Timings> MeasureAsync(string what, int runs, Func<Task> run)
    {
        for (var i = 0; i < WarmUp; i++)
        {
            await run();
        }

        var samples = new List<TimeSpan>(runs);
        for (var i = 0; i < runs; i++)
        {
            var started = Stopwatch.GetTimestamp();
            await run();
            samples.Add(Stopwatch.GetElapsedTime(started));
        }

        return new Timings(what, samples);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{What}: median {Median.TotalMilliseconds:0.0} ms, p95 {P95.TotalMilliseconds:0.0} ms ({Samples.Count} requests)");

    /// <summary>Nearest-rank percentile.</summary>
    private TimeSpan Percentile(double p)
    {
        var sorted = Samples.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
