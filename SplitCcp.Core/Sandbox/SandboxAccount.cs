using System.Security.Cryptography;

namespace SplitCcp.Core.Sandbox;

/// <summary>The simulated AWS account each Sandbox tenant has to itself.</summary>
public static class SandboxAccount
{
    /// <summary>A stable 12-digit account ID derived from the tenant, so ARNs look and validate like real ones.</summary>
    public static string AccountIdFor(Guid tenantId)
    {
        var hash = SHA256.HashData(tenantId.ToByteArray());
        var number = BitConverter.ToUInt64(hash, 0) % 900_000_000_000UL + 100_000_000_000UL;
        return number.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
