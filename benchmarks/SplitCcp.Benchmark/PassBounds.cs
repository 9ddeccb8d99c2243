using SplitCcp.Core.Aws;
using SplitCcp.Core.Sandbox;

namespace SplitCcp.Benchmark;

/// <summary>
/// What no drift pass can beat, from the calls it made: the benchmark's wall time is reported as a ratio to these.
/// </summary>
internal static class PassBounds
{
    /// <summary>Every call waits the latency, and at most <paramref name="concurrency"/> calls wait at once: calls × latency ÷ concurrency.</summary>
    public static TimeSpan Latency(long calls, TimeSpan latency, int concurrency) =>
        TimeSpan.FromTicks(calls * latency.Ticks / Math.Max(1, concurrency));

    /// <summary>
    /// The longest any one account must take for the calls it made under the portal's rate limits, its buckets full at the
    /// start: (calls on one bucket − burst) ÷ rate, the largest over every bucket.
    /// </summary>
    public static TimeSpan RateLimit(IReadOnlyList<SandboxAttemptCount> calls, AwsRateLimitOptions limits) =>
        calls
            .GroupBy(c => limits.KeyFor(c.AccountId, c.Region, c.Operation), c => c.Attempts)
            .Select(g => TimeSpan.FromSeconds(Math.Max(0, g.Sum() - limits.LimitFor(g.Key).Burst) / limits.LimitFor(g.Key).RatePerSecond))
            .DefaultIfEmpty(TimeSpan.Zero)
            .Max();

    /// <summary>
    /// The worker gives each tenant's check one of its slots, and a check's calls run one after another, so some slot runs at
    /// least ⌈tenants ÷ concurrency⌉ checks of at least the fewest calls any tenant made.
    /// </summary>
    public static TimeSpan OneCheckPerSlot(IReadOnlyList<SandboxAttemptCount> calls, int tenants, int concurrency, TimeSpan latency)
    {
        var fewest = calls.GroupBy(c => c.AccountId, c => c.Attempts).Select(g => g.Sum()).DefaultIfEmpty(0).Min();
        var rounds = (tenants + Math.Max(1, concurrency) - 1) / Math.Max(1, concurrency);
        return latency * (fewest * (double)rounds);
    }
}
