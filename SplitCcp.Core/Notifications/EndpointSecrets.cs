using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace SplitCcp.Core.Notifications;

/// <summary>
/// What an endpoint keeps secret: the signing secret the portal makes (256 random bits), shown once and used to sign each
/// delivery, and a webhook's address, which for Slack and Teams is itself a credential (whoever has it can post to the
/// channel). Both are kept encrypted with Data Protection (whose keys are in the database, encrypted with the key file) as
/// the tenants' AWS secret keys are, each under a purpose of its own; an address is shown only as <see cref="Shown"/>.
/// </summary>
public sealed class EndpointSecrets(IDataProtectionProvider provider)
{
    /// <summary>What every secret starts with, so one found in a file or a chat can be told for what it is.</summary>
    public const string Prefix = "sccpwh_";

    /// <summary>What a shown address has in place of its path and query.</summary>
    public const string Hidden = "/…";

    private readonly IDataProtector _protector = provider.CreateProtector("SplitCcp.Notifications.EndpointSecret.v1");
    private readonly IDataProtector _urls = provider.CreateProtector("SplitCcp.Notifications.EndpointUrl.v1");

    /// <summary>How a webhook's address is stored.</summary>
    public string ProtectUrl(string url) => _urls.Protect(url);

    /// <summary>
    /// A webhook's whole address: decrypted, or as an endpoint saved before addresses were encrypted kept it (until the
    /// next start encrypts it).
    /// </summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The key it was encrypted with is gone.</exception>
    public string UrlOf(NotificationEndpoint endpoint) =>
        endpoint.ProtectedUrl.Length > 0 ? _urls.Unprotect(endpoint.ProtectedUrl) : endpoint.Url;

    /// <summary>
    /// An address as pages, the API and logs may show it: scheme, host and port, with <see cref="Hidden"/> for any path or
    /// query, which is where Slack and Teams put the credential.
    /// </summary>
    public static string Shown(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri)
            ? $"{uri.Scheme}://{uri.Authority}{(uri.PathAndQuery is "" or "/" ? "" : Hidden)}"
            : Hidden;

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
