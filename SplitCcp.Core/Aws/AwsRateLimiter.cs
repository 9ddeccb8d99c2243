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
public sealed class AwsRateLimiter(TimeProvider time, Func<AwsRateKey, AwsRateLimit> limitFor)
{
    private readonly ConcurrentDictionary<AwsRateKey, Bucket> _buckets = new();

    /// <summary>Waits until the call may be made, then takes one token; returns how long it waited (zero when a token was there).</summary>
    public async ValueTask<TimeSpan> AcquireAsync(AwsRateKey key, CancellationToken ct)
    {
        var bucket = _buckets.GetOrAdd(key, k => new Bucket(limitFor(k), time.GetTimestamp()));
        long? waitingSince = null;
        while (true)
        {
            var wait = bucket.TryTake(time);
            if (wait <= TimeSpan.Zero)
            {
                return waitingSince is { } since ? time.GetElapsedTime(since) : TimeSpan.Zero;
            }

            waitingSince ??= time.GetTimestamp();
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
        }
    }

    /// <summary>How many buckets exist: one per key seen, for tests and metrics.</summary>
    public int BucketCount => _buckets.Count;

    private sealed class Bucket(AwsRateLimit limit, long startedAt)
    {
        private readonly Lock _lock = new();
        private double _tokens = limit.Burst;
        private long _updatedAt = startedAt;

        /// <summary>Takes a token and returns zero, or returns how long until one is available.</summary>
        public TimeSpan TryTake(TimeProvider time)
        {
            lock (_lock)
            {
                var now = time.GetTimestamp();
                var elapsed = time.GetElapsedTime(_updatedAt, now).TotalSeconds;
                _tokens = Math.Min(limit.Burst, _tokens + (elapsed * limit.RatePerSecond));
                _updatedAt = now;
                if (_tokens >= 1)
                {
                    _tokens -= 1;
                    return TimeSpan.Zero;
                }

                return TimeSpan.FromSeconds((1 - _tokens) / limit.RatePerSecond);
            }
        }
    }
}
