namespace SplitCcp.Core.Aws.Gateways;

/// <summary>
/// One AWS API operation a gateway may call, with the IAM actions it needs. Every gateway declares its operations as
/// static fields of a nested <c>Operations</c> class and passes one to <see cref="IAwsCaller"/> on each call, so the
/// onboarding policy can be built from, and tested against, exactly what the portal calls.
/// </summary>
public sealed record AwsOperation(string Service, string Name, IReadOnlyList<string> IamActions)
{
    public AwsOperation(string service, string name)
        : this(service, name, [$"{IamPrefixOf(service)}:{name}"])
    {
    }

    public override string ToString() => $"{Service}:{Name}";

    /// <summary>The IAM action prefix of a service as the gateways name it.</summary>
    public static string IamPrefixOf(string service) => service switch
    {
        AwsServices.IdentityCenter => "sso",
        AwsServices.IdentityStore => "identitystore",
        _ => service,
    };
}

/// <summary>The service names gateways use: rate-limit keys, failure messages, and IAM action prefixes.</summary>
public static class AwsServices
{
    public const string Connect = "connect";
    public const string Iam = "iam";
    public const string IdentityCenter = "sso";
    public const string IdentityStore = "identitystore";
    public const string S3 = "s3";
    public const string CloudFront = "cloudfront";
    public const string AppStream = "appstream";
    public const string Sts = "sts";
}

/// <summary>
/// Runs one AWS call for one tenant account: waits for the rate limiter's token for (account, region, service[, operation]),
/// then runs the call, retrying transient failures with jittered back-off. Real gateways and simulated ones both go through it,
/// so a simulated account's injected faults exercise the same retry path as real throttling.
/// </summary>
public interface IAwsCaller
{
    Task<T> CallAsync<T>(AwsOperation operation, string? resource, Func<CancellationToken, Task<T>> operationCall, CancellationToken ct);
}
