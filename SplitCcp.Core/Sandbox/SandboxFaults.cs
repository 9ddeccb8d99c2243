using System.Net;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// Decides, once per call attempt and before the Sandbox changes anything, whether the attempt fails the way AWS fails
/// under load: the service's own throttling error or a 5xx. Also adds the configured latency. The counters let tests and
/// benchmarks see what was injected.
/// </summary>
public sealed class SandboxFaults(IOptionsMonitor<SandboxOptions> options, SandboxRandom random, TimeProvider time)
{
    private long _attempts;
    private long _throttles;
    private long _serverErrors;

    public long Attempts => Interlocked.Read(ref _attempts);

    public long Throttles => Interlocked.Read(ref _throttles);

    public long ServerErrors => Interlocked.Read(ref _serverErrors);

    internal async Task BeforeAttemptAsync(AwsOperation operation, string? resource, CancellationToken ct)
    {
        var current = options.CurrentValue;
        Interlocked.Increment(ref _attempts);
        if (current.Latency > TimeSpan.Zero)
        {
            await Task.Delay(current.Latency, time, ct);
        }

        var roll = random.NextDouble();
        if (roll < current.ThrottleRate)
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
