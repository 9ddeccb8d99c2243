using System.Collections.Concurrent;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws;

/// <summary>
/// The credentials the portal uses in a tenant's account, by its access mode. Assumed-role credentials are reused until
/// shortly before they expire, so a drift pass over hundreds of tenants does not call STS for every AWS request.
/// </summary>
public sealed class AccountCredentials(TimeProvider time, Func<Guid, CancellationToken, Task<string?>> secretAccessKeyFor)
{
    /// <summary>Assumed credentials are renewed this long before they expire, so no call starts with a key about to lapse.</summary>
    public static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan SessionDuration = TimeSpan.FromHours(1);

    private readonly ConcurrentDictionary<(string RoleArn, string ExternalId, string? Endpoint), Assumed> _assumed = new();

    /// <summary>The tenant's credentials; a failure to get them is an <see cref="AwsCallException"/> in the operator's words.</summary>
    public async Task<AWSCredentials> ForTenantAsync(TenantView tenant, CancellationToken ct)
    {
        try
        {
            switch (tenant.AccessMode)
            {
                case AwsAccessMode.AccessKeys:
                    var secret = await secretAccessKeyFor(tenant.Id, ct)
                        ?? throw Refused(tenant, $"Tenant {tenant.DisplayName} uses access keys, but no secret access key is stored. Enter it on the tenant page.");
                    return new BasicAWSCredentials(tenant.AccessKeyId, secret);
                case AwsAccessMode.DefaultCredentials:
                    return DefaultChain();
                case AwsAccessMode.AssumeRole:
                    return await AssumeAsync(tenant, ct);
                default:
                    throw Refused(tenant, $"Tenant {tenant.DisplayName} uses access mode {tenant.AccessMode}, which takes no AWS credentials.");
            }
        }
        catch (AmazonServiceException ex)
        {
            throw new AwsCallException(AwsFailure.FromError("sts", "AssumeRole", tenant.RoleArn, ex.StatusCode, ex.ErrorCode, ex.Message), ex);
        }
        catch (AmazonClientException ex)
        {
            throw Refused(tenant, $"The portal found no AWS credentials for tenant {tenant.DisplayName}: {ex.Message} Configure this server's credentials, or choose another access mode for the tenant.", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new AwsCallException(AwsFailure.Unreachable("sts", "AssumeRole", tenant.RoleArn, tenant.EndpointUrl ?? "sts.amazonaws.com"), ex);
        }
    }

    /// <summary>
    /// The credentials for an account held open for long (an apply holds its account for the whole run, retries included):
    /// an assumed role's session is looked up again on every use, so it is renewed before it ends however long the account
    /// is held. Access keys and the default chain are returned as they are.
    /// </summary>
    public AWSCredentials Held(TenantView tenant, AWSCredentials current) =>
        tenant.AccessMode == AwsAccessMode.AssumeRole ? new RenewedSession(() => ForTenantAsync(tenant, CancellationToken.None)) : current;

    private sealed class RenewedSession(Func<Task<AWSCredentials>> session) : AWSCredentials
    {
        public override ImmutableCredentials GetCredentials() => GetCredentialsAsync().GetAwaiter().GetResult();

        public override async Task<ImmutableCredentials> GetCredentialsAsync() => await (await session()).GetCredentialsAsync();
    }

    private static AwsCallException Refused(TenantView tenant, string message, Exception? inner = null) =>
        new(new AwsFailure(AwsFailureKind.InvalidInput, "sts", "credentials", tenant.DisplayName, message), inner);

    private async Task<AWSCredentials> AssumeAsync(TenantView tenant, CancellationToken ct)
    {
        var key = (tenant.RoleArn!, tenant.ExternalId!, tenant.EndpointUrl);
        var now = time.GetUtcNow();
        if (_assumed.TryGetValue(key, out var cached) && cached.Expires - RenewBefore > now)
        {
            return cached.Credentials;
        }

        var config = new AmazonSecurityTokenServiceConfig { RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(tenant.Region) };
        if (tenant.EndpointUrl is { } endpoint)
        {
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = tenant.Region;
        }

        using var sts = new AmazonSecurityTokenServiceClient(DefaultChain(), config);
        var response = await sts.AssumeRoleAsync(new AssumeRoleRequest
        {
            RoleArn = tenant.RoleArn,
            ExternalId = tenant.ExternalId,
            RoleSessionName = $"splitccp-{tenant.Slug}",
            DurationSeconds = (int)SessionDuration.TotalSeconds,
        }, ct);

        // The session's own expiry is trusted only as far as the duration asked for, measured on this clock.
        var expires = now + SessionDuration;
        if (response.Credentials.Expiration is { } reported && reported.ToUniversalTime() < expires.UtcDateTime)
        {
            expires = new DateTimeOffset(reported.ToUniversalTime(), TimeSpan.Zero);
        }

        var credentials = new SessionAWSCredentials(response.Credentials.AccessKeyId, response.Credentials.SecretAccessKey, response.Credentials.SessionToken);
        _assumed[key] = new Assumed(credentials, expires);
        return credentials;
    }

    private static AWSCredentials DefaultChain() => Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials();

    private sealed record Assumed(AWSCredentials Credentials, DateTimeOffset Expires);
}
