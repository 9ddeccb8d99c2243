using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace SplitCcp.Core.Aws.Signed;

/// <summary>
/// AWS Signature Version 4 for the signed client: this builds the canonical request (the part that depends on how the
/// request goes on the wire), and AWSSDK.Core's <see cref="AWS4Signer"/> derives the key and computes the signature.
/// </summary>
public static class SigV4
{
    public const string DateHeader = "X-Amz-Date";
    public const string SecurityTokenHeader = "X-Amz-Security-Token";
    public const string DateFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>
    /// The headers to send with a request, Host and Authorization included. <paramref name="headers"/> are the request's own
    /// headers to sign (Content-Type, X-Amz-Target, …); Host, X-Amz-Date and the session token are added here and signed too.
    /// </summary>
    public static Dictionary<string, string> SignedHeaders(
        HttpMethod method, Uri uri, IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body,
        ImmutableCredentials credentials, string region, string service, DateTimeOffset now)
    {
        var signed = new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase)
        {
            ["Host"] = uri.Authority,
            [DateHeader] = now.UtcDateTime.ToString(DateFormat, CultureInfo.InvariantCulture),
        };
        if (credentials.UseToken)
        {
            signed[SecurityTokenHeader] = credentials.Token;
        }

        signed["Authorization"] = Authorization(
            method.Method, uri.AbsolutePath, uri.Query, signed, PayloadHash(body), credentials, region, service, now.UtcDateTime);
        return signed;
    }

    /// <summary>The Authorization header value for a request whose path and query are as sent on the wire (already percent-encoded).</summary>
    public static string Authorization(
        string method, string wirePath, string wireQuery, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash,
        ImmutableCredentials credentials, string region, string service, DateTime signedAt)
    {
        var sorted = headers
            .Select(h => (Name: h.Key.ToLowerInvariant(), Value: CollapseSpaces(h.Value)))
            .OrderBy(h => h.Name, StringComparer.Ordinal)
            .ToList();
        var signedHeaderNames = string.Join(';', sorted.Select(h => h.Name));
        var canonicalRequest = string.Join('\n',
            method,
            CanonicalPath(wirePath),
            CanonicalQuery(wireQuery),
            string.Concat(sorted.Select(h => $"{h.Name}:{h.Value}\n")),
            signedHeaderNames,
            payloadHash);
        return AWS4Signer.ComputeSignature(credentials, region, signedAt, service, signedHeaderNames, canonicalRequest).ForAuthorizationHeader;
    }

    public static string PayloadHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>Every path segment URI-encoded once more, as all services but S3 expect.</summary>
    internal static string CanonicalPath(string wirePath) =>
        wirePath.Length == 0 ? "/" : string.Join('/', wirePath.Split('/').Select(Encode));

    /// <summary>Parameters decoded, re-encoded the AWS way, and sorted by name then value.</summary>
    internal static string CanonicalQuery(string wireQuery) =>
        string.Join('&', wireQuery.TrimStart('?')
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => (Name: Encode(Uri.UnescapeDataString(kv[0])), Value: kv.Length > 1 ? Encode(Uri.UnescapeDataString(kv[1])) : ""))
            .OrderBy(kv => kv.Name, StringComparer.Ordinal)
            .ThenBy(kv => kv.Value, StringComparer.Ordinal)
            .Select(kv => $"{kv.Name}={kv.Value}"));

    /// <summary>RFC 3986 encoding: everything but A–Z a–z 0–9 - _ . ~ becomes %XX of its UTF-8 bytes.</summary>
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static string CollapseSpaces(string value) => string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
