using System.Diagnostics;
using System.Diagnostics.Metrics;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Observability;

namespace SplitCcp.Core.Aws;

/// <summary>
/// What <see cref="AwsCaller"/> records per AWS service: attempts sent (once the client-side rate limiter let them go, so
/// every retry counts), failed attempts by kind, throttled attempts, and the time the limiter held attempts back.
/// </summary>
public sealed class AwsCallMetrics
{
    public const string Calls = "splitccp.aws.calls";
    public const string Throttled = "splitccp.aws.throttled";
    public const string Errors = "splitccp.aws.errors";
    public const string RateLimitWait = "splitccp.aws.rate_limit.wait";

    private readonly Counter<long> _calls;
    private readonly Counter<long> _throttled;
    private readonly Counter<long> _errors;
    private readonly Counter<double> _rateLimitWait;

    public AwsCallMetrics(IMeterFactory meters)
    {
        var meter = meters.CreateMeter();
        _calls = meter.CreateCounter<long>(Calls, "{attempt}", "AWS call attempts sent, after the client-side rate limiter; every retry counts.");
        _throttled = meter.CreateCounter<long>(Throttled, "{attempt}", "AWS call attempts answered with throttling.");
        _errors = meter.CreateCounter<long>(Errors, "{attempt}", "AWS call attempts that failed, by kind.");
        _rateLimitWait = meter.CreateCounter<double>(RateLimitWait, "s", "Time AWS call attempts spent waiting for the client-side rate limiter.");
    }

    /// <summary>One attempt sent, after the rate limiter held it for <paramref name="waited"/>.</summary>
    public void Attempt(string service, TimeSpan waited)
    {
        _calls.Add(1, new KeyValuePair<string, object?>("service", service));
        if (waited > TimeSpan.Zero)
        {
            _rateLimitWait.Add(waited.TotalSeconds, new KeyValuePair<string, object?>("service", service));
        }
    }

    /// <summary>One attempt that failed; a retried call counts each failed attempt.</summary>
    public void Failure(string service, AwsFailureKind kind)
    {
        _errors.Add(1, new("service", service), new("kind", kind.ToString()));
        if (kind == AwsFailureKind.Throttled)
        {
            _throttled.Add(1, new KeyValuePair<string, object?>("service", service));
        }
    }

    /// <summary>The span of one call, retries included, named as OpenTelemetry names RPCs: <c>service/Operation</c>.</summary>
    public static Activity? StartCall(AwsOperation operation, string region)
    {
        var activity = PortalTelemetry.Start(() => $"{operation.Service}/{operation.Name}", ActivityKind.Client);
        activity?.SetTag("rpc.system", "aws-api");
        activity?.SetTag("rpc.service", operation.Service);
        activity?.SetTag("rpc.method", operation.Name);
        activity?.SetTag("cloud.region", region);
        return activity;
    }
}
