using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// The endpoints' signing secrets: made by the portal (256 random bits), shown once, kept encrypted with Data Protection
/// (whose keys are in the database, encrypted with the key file) as the tenants' AWS secret keys are, under a purpose of
/// their own, and used to sign each delivery.
/// </summary>
public sealed class EndpointSecrets(IDataProtectionProvider provider)
{
    /// <summary>What every secret starts with, so one found in a file or a chat can be told for what it is.</summary>
    public const string Prefix = "sccpwh_";

    private readonly IDataProtector _protector = provider.CreateProtector("SplitCcp.Notifications.EndpointSecret.v1");

    /// <summary>A new secret, and how it is stored.</summary>
    public (string Secret, string Protected) Create()
    {
        var secret = Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        return (secret, _protector.Protect(secret));
    }

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);

    /// <summary>
    /// <c>sha256=</c> and the lower-case hex HMAC-SHA256, keyed with the secret's UTF-8 bytes, of
    /// <c>{timestamp}.{body}</c>: the exact bytes sent, after the timestamp sent with them.
    /// </summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(FormattableString.Invariant($"{timestamp}."));
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }
}
