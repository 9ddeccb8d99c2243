namespace SplitCcp.Core.Aws.Gateways;

public sealed record CallerIdentity(string Account, string Arn, string UserId);

/// <summary>AWS STS through the official AWSSDK.SecurityToken client. AssumeRole itself lives in <see cref="AccountCredentials"/>.</summary>
public interface IStsGateway
{
    Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken ct);
}
