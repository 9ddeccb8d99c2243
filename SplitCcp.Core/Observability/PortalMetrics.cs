using System.Collections.Concurrent;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Core.Observability;

/// <summary>
/// The portal's own counters, read by <c>/metrics</c>: drift check durations per resulting status, and per AWS service the
/// attempts sent, the failures by kind and the time spent waiting for the client-side rate limiter. Lock-free: every
/// writer is an AWS attempt or a drift check, and they must never queue behind a scrape.
/// </summary>
public sealed class PortalMetrics
{
    /// <summary>Upper bounds, in seconds, of the drift check duration histogram: a Sandbox check takes milliseconds, a slow real account minutes.</summary>
    public static IReadOnlyList<double> CheckDurationBuckets { get; } = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

    private readonly Histogram[] _checks = Enum.GetValues<TenantHealthStatus>().Select(_ => new Histogram(CheckDurationBuckets)).ToArray();
    private readonly ConcurrentDictionary<string, AwsServiceCounters> _aws = new(StringComparer.Ordinal);

    public void RecordCheck(TimeSpan duration, TenantHealthStatus status) => _checks[(int)status].Record(duration);

    public HistogramSnapshot CheckDurations(TenantHealthStatus status) => _checks[(int)status].Snapshot();

    /// <summary>One attempt sent to AWS (or the Sandbox), after the rate limiter let it go; <paramref name="waited"/> is how long the limiter held it.</summary>
    public void RecordAwsAttempt(string service, TimeSpan waited)
    {
        var counters = ServiceCounters(service);
        Interlocked.Increment(ref counters.Attempts);
        if (waited > TimeSpan.Zero)
        {
            Interlocked.Add(ref counters.RateLimitWaitTicks, waited.Ticks);
        }
    }

    /// <summary>One attempt that failed; a retried call counts each failed attempt.</summary>
    public void RecordAwsFailure(string service, AwsFailureKind kind) => Interlocked.Increment(ref ServiceCounters(service).Failures[(int)kind]);

    /// <summary>Every service that has been called, in name order, with its counters as they are now.</summary>
    public IReadOnlyList<AwsServiceMetrics> AwsServices() =>
        _aws.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value.Snapshot(s.Key)).ToList();

    private AwsServiceCounters ServiceCounters(string service) => _aws.GetOrAdd(service, _ => new AwsServiceCounters());

    private sealed class AwsServiceCounters
    {
        // Fields, so Interlocked can update them in place.
        public readonly long[] Failures = new long[Enum.GetValues<AwsFailureKind>().Length];
        public long Attempts;
        public long RateLimitWaitTicks;

        public AwsServiceMetrics Snapshot(string service) => new(
            service,
            Interlocked.Read(ref Attempts),
            Enum.GetValues<AwsFailureKind>().ToDictionary(k => k, k => Interlocked.Read(ref Failures[(int)k])),
            TimeSpan.FromTicks(Interlocked.Read(ref RateLimitWaitTicks)));
    }

    private sealed class Histogram(IReadOnlyList<double> bounds)
    {
        // One slot per bound plus one past the last (+Inf); each attempt lands in exactly one slot, so a snapshot's count
        // is the sum of its slots and can never disagree with its +Inf bucket, whatever is recorded during the read.
        private readonly long[] _slots = new long[bounds.Count + 1];
        private long _sumTicks;

        public void Record(TimeSpan duration)
        {
            var seconds = duration.TotalSeconds;
            var slot = 0;
            while (slot < bounds.Count && seconds > bounds[slot])
            {
                slot++;
            }

            Interlocked.Increment(ref _slots[slot]);
            Interlocked.Add(ref _sumTicks, duration.Ticks);
        }

        public HistogramSnapshot Snapshot()
        {
            var cumulative = new long[_slots.Length];
            long running = 0;
            for (var i = 0; i < _slots.Length; i++)
            {
                running += Interlocked.Read(ref _slots[i]);
                cumulative[i] = running;
            }

            return new HistogramSnapshot(bounds, cumulative, TimeSpan.FromTicks(Interlocked.Read(ref _sumTicks)).TotalSeconds);
        }
    }
}

/// <summary>
/// A histogram as Prometheus exposes it: <see cref="CumulativeCounts"/> has one entry per bound (observations at or below
/// it) and a last one for +Inf, which is <see cref="Count"/>.
/// </summary>
public sealed record HistogramSnapshot(IReadOnlyList<double> Bounds, IReadOnlyList<long> CumulativeCounts, double Sum)
{
    public long Count => CumulativeCounts[^1];
}

/// <summary>One AWS service's counters: attempts sent, failed attempts by kind, and the rate limiter's total hold.</summary>
public sealed record AwsServiceMetrics(string Service, long Attempts, IReadOnlyDictionary<AwsFailureKind, long> Failures, TimeSpan RateLimitWait)
{
    public long Throttled => Failures.GetValueOrDefault(AwsFailureKind.Throttled);
}
