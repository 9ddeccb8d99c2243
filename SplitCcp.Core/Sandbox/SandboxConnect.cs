using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Sandbox;

/// <summary>The Connect instances a Sandbox account starts with: one ready for the split CCP, one that is not (it does not use SAML).</summary>
public static class SandboxConnect
{
    public static IReadOnlyList<ConnectInstance> Instances(TenantView tenant)
    {
        var account = SandboxAccount.AccountIdFor(tenant.Id);
        ConnectInstance Instance(string salt, string alias, string identity)
        {
            var id = DeterministicGuid(tenant.Id, salt).ToString();
            return new ConnectInstance(id, $"arn:aws:connect:{tenant.Region}:{account}:instance/{id}", alias, "ACTIVE", identity);
        }

        var prefix = tenant.Slug.Length > 30 ? tenant.Slug[..30].TrimEnd('-') : tenant.Slug;
        return
        [
            Instance("contact-center", $"{prefix}-contact-center", "SAML"),
            Instance("lab", $"{prefix}-lab", "CONNECT_MANAGED"),
        ];
    }

    internal static Guid DeterministicGuid(Guid tenantId, string salt)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData([.. tenantId.ToByteArray(), .. System.Text.Encoding.UTF8.GetBytes(salt)]);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes.AsSpan(0, 16), bigEndian: true);
    }
}
