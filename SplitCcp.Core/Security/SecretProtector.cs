using Microsoft.AspNetCore.DataProtection;

namespace SplitCcp.Core.Security;

/// <summary>Encrypts tenant secrets at rest with ASP.NET Core Data Protection (keys kept in the database).</summary>
public sealed class SecretProtector(IDataProtectionProvider provider)
{
    private readonly IDataProtector _protector = provider.CreateProtector("SplitCcp.Tenants.SecretAccessKey.v1");

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
