using System.Collections.Concurrent;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// AWS's side of its published request rates, for a Sandbox that refuses what AWS would refuse
/// (<see cref="SandboxOptions.EnforceRateLimits"/>): a token bucket per account and region for each Connect operation
/// (2 requests/s, burst 5), for IAM Identity Center (20 TPS for all its APIs together) and, counted apart as a service of
/// its own, its identity store (the same 20 TPS), and for S3 (3,500/s, the lower of its per-prefix write and read rates). IAM, STS, AppStream and CloudFront publish no rates, so
/// none is enforced for them. Deliberately separate from the portal's <see cref="AwsRateLimiter"/>: it checks that limiter
/// instead of sharing its mistakes.
/// </summary>
/// <remarks>As the portal's limiter does, it keeps buckets for the accounts in use only, letting refilled ones go.</remarks>
internal sealed class SandboxRateLimits(TimeProvider time)
{
    /// <summary>How often the buckets refilled to their burst are let go: a new one starts full, so it behaves the same.</summary>
    public static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(30);

    private static readonly AwsRateLimit s_connect = new(2, 5);
    private static readonly AwsRateLimit s_identityCenter = new(20, 20);
    private static readonly AwsRateLimit s_s3 = new(3_500, 3_500);

    private readonly ConcurrentDictionary<(string AccountId, string Region, string Bucket), Bucket> _buckets = new();
    private long _lastSweep = time.GetTimestamp();

    /// <summary>How many buckets exist: one per account, region and limit in use.</summary>
    public int BucketCount => _buckets.Count;

    /// <summary>True when AWS accepts the request now, which takes a token; false when AWS answers with its throttling error.</summary>
    public bool TryAccept(string accountId, string region, AwsOperation operation)
    {
        if (LimitOf(operation) is not var (name, limit))
        {
            return true;
        }

        SweepWhenDue();
        while (true)
        {
            var bucket = _buckets.GetOrAdd((accountId, region, name), static (_, state) => new Bucket(state.limit, state.time.GetTimestamp()), (limit, time));
            if (bucket.TryTake(time) is { } accepted)
            {
                return accepted;
            }
        }
    }

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

    private static (string Name, AwsRateLimit Limit)? LimitOf(AwsOperation operation) => operation.Service switch
    {
        AwsServices.Connect => ($"connect:{operation.Name}", s_connect),
        AwsServices.IdentityCenter or AwsServices.IdentityStore => (operation.Service, s_identityCenter),
        AwsServices.S3 => ("s3", s_s3),
        _ => null,
    };

    private sealed class Bucket(AwsRateLimit limit, long createdAt)
    {
        private readonly Lock _lock = new();
        private double _tokens = limit.Burst;
        private long _updatedAt = createdAt;
        private bool _retired;

        /// <summary>Whether a token was there (and is taken); null once the bucket was let go.</summary>
        public bool? TryTake(TimeProvider time)
        {
            lock (_lock)
            {
                if (_retired)
                {
                    return null;
                }

                Refill(time);
                if (_tokens < 1)
                {
                    return false;
                }

                _tokens--;
                return true;
            }
        }

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
