using System.Security.Cryptography;
using System.Text;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Sandbox;

/// <summary>STS as the Sandbox simulates it: the portal is signed in to the tenant's account through a sandbox role session.</summary>
internal sealed class SandboxStsGateway(SandboxAwsAccount account) : SandboxGateway(account), IStsGateway
{
    public const string RoleName = "SplitCcpSandbox";

    public Task<CallerIdentity> GetCallerIdentityAsync(CancellationToken ct) =>
        CallAsync(StsOperations.GetCallerIdentity, null, _ =>
        {
            var session = $"splitccp-{Account.Tenant.Slug}";
            var roleId = "AROA" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{AccountId}/{RoleName}")))[..17];
            return Task.FromResult(new CallerIdentity(AccountId, $"arn:aws:sts::{AccountId}:assumed-role/{RoleName}/{session}", $"{roleId}:{session}"));
        }, ct);
}
