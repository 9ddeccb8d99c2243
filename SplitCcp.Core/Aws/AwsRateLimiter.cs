using System.Collections.Concurrent;

namespace SplitCcp.Core.Aws;

/// <summary>Where an AWS call is counted against a limit: per account, region and service, and per operation where the service limits each one separately.</summary>
public readonly record struct AwsRateKey(string AccountId, string Region, string Service, string? Operation);

/// <summary>A token bucket: <see cref="RatePerSecond"/> sustained, up to <see cref="Burst"/> at once.</summary>
/// <remarks>
/// The defaults are new instances on every read: configuration binding sets properties on the instance it finds in
/// <see cref="AwsRateLimitOptions.Services"/>, so a shared one would carry one service's settings to every service and
/// every host that uses it.
/// </remarks>
public sealed record AwsRateLimit(double RatePerSecond, int Burst)
{
    /// <summary>Connect: about 2 requests per second per operation per account, burst 5.</summary>
    public static AwsRateLimit Connect => new(2, 5);

    /// <summary>IAM Identity Center: 20 TPS for all its APIs together, not adjustable.</summary>
    public static AwsRateLimit IdentityCenter => new(20, 20);
}

/// <summary>
/// Keeps the portal under AWS's request rates, one bucket per <see cref="AwsRateKey"/>, so one tenant's calls never spend
/// another account's budget. Time comes from <see cref="TimeProvider"/>, so tests can drive it with a fake clock.
/// </summary>
/// <remarks>
/// Buckets are kept for the accounts in use only: every <see cref="SweepInterval"/> the buckets that have refilled to their
/// burst are let go, since a new bucket starts full and so behaves the same. Kept for ever, a portal checking 10,000
/// tenants held a bucket for every account, region and operation it had ever called.
/// </remarks>
public sealed class AwsRateLimiter(TimeProvider time, Func<AwsRateKey, AwsRateLimit> limitFor)
{
    /// <summary>How often the refilled buckets are let go.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<AwsRateKey, Bucket> _buckets = new();
    private long _lastSweep = time.GetTimestamp();

    /// <summary>Waits until the call may be made, then takes one token; returns how long it waited (zero when a token was there).</summary>
    public async ValueTask<TimeSpan> AcquireAsync(AwsRateKey key, CancellationToken ct)
    {
        SweepWhenDue();
        long? waitingSince = null;
        while (true)
        {
            var wait = _buckets.GetOrAdd(key, k => new Bucket(limitFor(k), time.GetTimestamp())).TryTake(time);
            if (wait is not { } delay)
            {
                // Let go by a sweep between the lookup and the take: the key's new bucket is asked instead.
                continue;
            }

            if (delay <= TimeSpan.Zero)
            {
                return waitingSince is { } since ? time.GetElapsedTime(since) : TimeSpan.Zero;
            }

            waitingSince ??= time.GetTimestamp();
            await Task.Delay(delay, time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>How many buckets exist: one per key in use, for tests and metrics.</summary>
    public int BucketCount => _buckets.Count;

    /// <summary>Lets the refilled buckets go, on one caller every <see cref="SweepInterval"/>.</summary>
    private void SweepWhenDue()
    {
        var last = Interlocked.Read(ref _lastSweep);
        var now = time.GetTimestamp();
        if (time.GetElapsedTime(last, now) < SweepInterval || Interlocked.CompareExchange(ref _lastSweep, now, last) != last)
        {
            return;
        }

        foreach (var (key, bucket) in _buckets)
        {
            if (bucket.TryRetire(time))
            {
                _buckets.TryRemove(KeyValuePair.Create(key, bucket));
            }
        }
    }

    private sealed class Bucket(AwsRateLimit limit, long startedAt)
    {
        private readonly Lock _lock = new();
        private double _tokens = limit.Burst;
        private long _updatedAt = startedAt;
        private bool _retired;

        /// <summary>Takes a token and returns zero, or returns how long until one is available; null once the bucket was let go.</summary>
        public TimeSpan? TryTake(TimeProvider time)
        {
            lock (_lock)
            {
                if (_retired)
                {
                    return null;
                }

                Refill(time);
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return TimeSpan.Zero;
                }

                return TimeSpan.FromSeconds((1 - _tokens) / limit.RatePerSecond);
            }
        }

        /// <summary>Retires the bucket when it has refilled to its burst, so no call takes from it again; true when it did.</summary>
        public bool TryRetire(TimeProvider time)
        {
            lock (_lock)
            {
                Refill(time);
                _retired = _tokens >= limit.Burst;
                return _retired;
            }
        }

        private void Refill(TimeProvider time)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(limit.Burst, _tokens + (time.GetElapsedTime(_updatedAt, now).TotalSeconds * limit.RatePerSecond));
            _updatedAt = now;
        }
    }
}
