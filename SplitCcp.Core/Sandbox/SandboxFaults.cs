using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Net;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// How many call attempts one account made to one operation, for benchmarks that work out what the rate limits force. A
/// value, not an object: a benchmark of 10,000 accounts holds hundreds of thousands of these.
/// </summary>
public readonly record struct SandboxAttemptCount(string AccountId, string Region, AwsOperation Operation, long Attempts);

/// <summary>
/// Decides, once per call attempt and before the Sandbox changes anything, whether the attempt fails the way AWS fails
/// under load: the service's own throttling error (injected at random, or because the account went over AWS's published
/// rate when <see cref="SandboxOptions.EnforceRateLimits"/> is on) or a 5xx. Also adds the configured latency. The counters
/// let tests and benchmarks see what was injected.
/// </summary>
public sealed class SandboxFaults(IOptionsMonitor<SandboxOptions> options, SandboxRandom random, TimeProvider time)
{
    private readonly SandboxRateLimits _rateLimits = new(time);
    /// <summary>Each operation's place in an account's counts: the catalog's order.</summary>
    private static readonly FrozenDictionary<AwsOperation, int> s_ordinals = AwsOperationCatalog.All
        .Select((operation, ordinal) => KeyValuePair.Create(operation, ordinal)).ToFrozenDictionary();

    /// <summary>
    /// Attempts per account and region, one counter per operation of the catalog: an array per account rather than an entry
    /// per account and operation, which at 10,000 accounts was 50 MB of a portal's heap.
    /// </summary>
    private readonly ConcurrentDictionary<(string AccountId, string Region), long[]> _attemptsByAccount = new();
    private long _attempts;
    private long _throttles;
    private long _rateLimited;
    private long _serverErrors;

    public long Attempts => Interlocked.Read(ref _attempts);

    /// <summary>Attempts answered with the service's throttling error, injected or over the rate limit.</summary>
    public long Throttles => Interlocked.Read(ref _throttles);

    /// <summary>The part of <see cref="Throttles"/> refused because the account went over AWS's published rate.</summary>
    public long RateLimited => Interlocked.Read(ref _rateLimited);

    public long ServerErrors => Interlocked.Read(ref _serverErrors);

    /// <summary>Attempts so far per account, region and operation.</summary>
    public IReadOnlyList<SandboxAttemptCount> AttemptsByOperation()
    {
        var counts = new List<SandboxAttemptCount>();
        foreach (var ((accountId, region), attempts) in _attemptsByAccount)
        {
            for (var ordinal = 0; ordinal < attempts.Length; ordinal++)
            {
                if (Interlocked.Read(ref attempts[ordinal]) is > 0 and var count)
                {
                    counts.Add(new SandboxAttemptCount(accountId, region, AwsOperationCatalog.All[ordinal], count));
                }
            }
        }

        return counts;
    }

    internal async Task BeforeAttemptAsync(string accountId, string region, AwsOperation operation, string? resource, CancellationToken ct)
    {
        var current = options.CurrentValue;
        Interlocked.Increment(ref _attempts);
        Interlocked.Increment(ref _attemptsByAccount.GetOrAdd((accountId, region), static _ => new long[s_ordinals.Count])[s_ordinals[operation]]);

        // Counted when sent: the latency stands for the round trip, and a refused request takes it too.
        var overLimit = current.EnforceRateLimits && !_rateLimits.TryAccept(accountId, region, operation);
        if (current.Latency > TimeSpan.Zero)
        {
            await Task.Delay(current.Latency, time, ct);
        }

        if (overLimit)
        {
            Interlocked.Increment(ref _rateLimited);
        }

        var roll = random.NextDouble();
        if (overLimit || roll < current.ThrottleRate)
        {
            Interlocked.Increment(ref _throttles);
            var (status, code) = ThrottlingOf(operation.Service);
            throw Fault(operation, resource, status, code, "Rate exceeded");
        }

        if (roll < current.ThrottleRate + current.ServerErrorRate)
        {
            Interlocked.Increment(ref _serverErrors);

            // The lower half of the band answers 503, the upper half the service's own internal error.
            var unavailable = roll < current.ThrottleRate + (current.ServerErrorRate / 2);
            var (status, code) = unavailable ? (HttpStatusCode.ServiceUnavailable, "ServiceUnavailable") : InternalErrorOf(operation.Service);
            throw Fault(operation, resource, status, code, "We encountered an internal error. Please try again.");
        }
    }

    /// <summary>The error each service answers when it throttles: Connect 429, S3 503 SlowDown, the others 400.</summary>
    private static (HttpStatusCode Status, string Code) ThrottlingOf(string service) => service switch
    {
        AwsServices.Connect => (HttpStatusCode.TooManyRequests, "ThrottlingException"),
        AwsServices.S3 => (HttpStatusCode.ServiceUnavailable, "SlowDown"),
        AwsServices.Iam or AwsServices.Sts or AwsServices.CloudFront => (HttpStatusCode.BadRequest, "Throttling"),
        AwsServices.AppStream => (HttpStatusCode.BadRequest, "RequestLimitExceededException"),
        _ => (HttpStatusCode.BadRequest, "ThrottlingException"),
    };

    private static (HttpStatusCode Status, string Code) InternalErrorOf(string service) => service switch
    {
        AwsServices.Connect => (HttpStatusCode.InternalServerError, "InternalServiceException"),
        AwsServices.Iam => (HttpStatusCode.InternalServerError, "ServiceFailure"),
        AwsServices.IdentityCenter or AwsServices.IdentityStore => (HttpStatusCode.InternalServerError, "InternalServerException"),
        AwsServices.S3 => (HttpStatusCode.InternalServerError, "InternalError"),
        _ => (HttpStatusCode.InternalServerError, "InternalFailure"),
    };

    private static AwsCallException Fault(AwsOperation operation, string? resource, HttpStatusCode status, string code, string message) =>
        new(AwsFailure.FromError(operation.Service, operation.Name, resource, status, code, message));
}
