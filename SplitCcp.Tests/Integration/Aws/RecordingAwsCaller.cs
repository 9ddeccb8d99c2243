using System.Collections.Concurrent;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Tests.Infrastructure;

namespace SplitCcp.Tests.Integration.Aws;

/// <summary>The real <see cref="AwsCaller"/> (rate limiter, no retries), remembering every operation a gateway passed it.</summary>
public sealed class RecordingAwsCaller : IAwsCaller
{
    public const string MotoAccountId = "123456789012";

    private readonly AwsCaller _inner;

    public RecordingAwsCaller(string region)
    {
        var limits = new AwsRateLimitOptions();
        _inner = new AwsCaller(MotoAccountId, region, new AwsRateLimiter(TimeProvider.System, limits.LimitFor), limits,
            new AwsRetry(new AwsRetryOptions { MaxRetries = 0 }, TimeProvider.System), new AwsCallMetrics(new TestMeterFactory()));
    }

    public ConcurrentQueue<AwsOperation> Operations { get; } = new();

    public Task<T> CallAsync<T>(AwsOperation operation, string? resource, Func<CancellationToken, Task<T>> operationCall, CancellationToken ct)
    {
        Operations.Enqueue(operation);
        return _inner.CallAsync(operation, resource, operationCall, ct);
    }
}
