using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Core.Aws;

public sealed class AwsRetryOptions
{
    public const string SectionName = "SplitCcp:Aws:Retry";

    [Range(0, 20)]
    public int MaxRetries { get; set; } = 5;

    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(20);
}

/// <summary>Thrown by a gateway when an AWS call failed; carries the operator-facing <see cref="AwsFailure"/>.</summary>
public sealed class AwsCallException(AwsFailure failure, Exception? inner = null) : Exception(failure.Message, inner)
{
    public AwsFailure Failure { get; } = failure;
}

/// <summary>
/// Retries transient AWS failures (throttling, 5xx, timeouts) with capped exponential back-off and full jitter, so many
/// tenants that were throttled together do not retry together. Waits use <see cref="TimeProvider"/> and honour cancellation.
/// </summary>
public sealed class AwsRetry(AwsRetryOptions options, TimeProvider time, Func<double>? random = null)
{
    private readonly Func<double> _random = random ?? Random.Shared.NextDouble;

    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call(ct);
            }
            catch (AwsCallException ex) when (ex.Failure.IsTransient && attempt < options.MaxRetries && !ct.IsCancellationRequested)
            {
                await Task.Delay(DelayFor(attempt), time, ct);
            }
        }
    }

    /// <summary>Full jitter: a random delay between zero and min(max, base × 2^attempt).</summary>
    internal TimeSpan DelayFor(int attempt)
    {
        var ceiling = Math.Min(options.MaxDelay.TotalMilliseconds, options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
        return TimeSpan.FromMilliseconds(ceiling * _random());
    }
}
