using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Observability;

namespace SplitCcp.Core.Aws;

/// <summary>Request rates per service, from <c>SplitCcp:Aws:RateLimits</c>; Connect is limited per operation, the rest per service.</summary>
public sealed class AwsRateLimitOptions
{
    public const string SectionName = "SplitCcp:Aws:RateLimits";

    public Dictionary<string, AwsRateLimit> Services { get; set; } = new(StringComparer.OrdinalIgnoreCase)
    {
        [AwsServices.Connect] = AwsRateLimit.Connect,
        [AwsServices.IdentityCenter] = AwsRateLimit.IdentityCenter,
        [AwsServices.IdentityStore] = AwsRateLimit.IdentityCenter,
        [AwsServices.Iam] = new(10, 10),
        [AwsServices.AppStream] = new(5, 10),
        [AwsServices.CloudFront] = new(5, 10),
        [AwsServices.S3] = new(100, 100),
        [AwsServices.Sts] = new(20, 20),
    };

    /// <summary>Services AWS limits per operation rather than for all of its APIs together.</summary>
    public HashSet<string> PerOperation { get; set; } = new(StringComparer.OrdinalIgnoreCase) { AwsServices.Connect };

    public AwsRateLimit LimitFor(AwsRateKey key) =>
        Services.TryGetValue(key.Service, out var limit) ? limit : new AwsRateLimit(10, 10);

    public AwsRateKey KeyFor(string accountId, string region, AwsOperation operation) =>
        new(accountId, region, operation.Service, PerOperation.Contains(operation.Service) ? operation.Name : null);
}

/// <summary>
/// The <see cref="IAwsCaller"/> of one account: the rate limiter's token for (account, region, service[, operation]) before
/// every attempt, retries of transient failures, and network errors and timeouts turned into <see cref="AwsFailure"/>s.
/// Each attempt is counted in <see cref="AwsCallMetrics"/> once the limiter lets it go, and each failed attempt by its kind,
/// so a throttled call retried three times shows as three throttles. The call, retries included, is one span.
/// </summary>
public sealed class AwsCaller(string accountId, string region, AwsRateLimiter limiter, AwsRateLimitOptions limits, AwsRetry retry, AwsCallMetrics metrics)
    : IAwsCaller
{
    public async Task<T> CallAsync<T>(AwsOperation operation, string? resource, Func<CancellationToken, Task<T>> operationCall, CancellationToken ct)
    {
        using var activity = AwsCallMetrics.StartCall(operation, region);
        var attempts = 0;
        try
        {
            return await retry.ExecuteAsync(async token =>
            {
                var waited = await limiter.AcquireAsync(limits.KeyFor(accountId, region, operation), token);
                attempts++;
                metrics.Attempt(operation.Service, waited);
                try
                {
                    return await operationCall(token);
                }
                catch (AwsCallException ex)
                {
                    metrics.Failure(operation.Service, ex.Failure.Kind);
                    throw;
                }
                catch (HttpRequestException ex) when (ex.StatusCode is null)
                {
                    metrics.Failure(operation.Service, AwsFailureKind.Unreachable);
                    throw new AwsCallException(AwsFailure.Unreachable(operation.Service, operation.Name, resource, ex.Message), ex);
                }
                catch (TaskCanceledException ex) when (!token.IsCancellationRequested)
                {
                    metrics.Failure(operation.Service, AwsFailureKind.Timeout);
                    throw new AwsCallException(AwsFailure.Timeout(operation.Service, operation.Name, resource, TimeSpan.FromSeconds(100)), ex);
                }
            }, ct);
        }
        catch (AwsCallException ex)
        {
            activity.Fail(ex.Failure.Kind.ToString());
            throw;
        }
        finally
        {
            activity?.SetTag("splitccp.aws.attempts", attempts);
        }
    }
}
