using System.Text.RegularExpressions;

namespace SplitCcp.Core.Tenants.Spec;

/// <summary>
/// The Identity Center SAML metadata URL the console shows, https://portal.sso.&lt;region&gt;.&lt;suffix&gt;/saml/metadata/…,
/// read one way for the spec's rule and for the gateway that fetches it, so a URL one accepts the other fetches. A tenant
/// with an emulator endpoint (moto, LocalStack) serves its metadata there instead, and only there.
/// </summary>
public static partial class IdentityCenterMetadataUrl
{
    private const string Path = "/saml/metadata/";

    /// <summary>The URL when it is Identity Center's metadata URL, or the emulator's when there is one; null for anything else.</summary>
    public static Uri? Parse(string? value, Uri? emulator)
    {
        if (string.IsNullOrWhiteSpace(value) || !Uri.TryCreate(value, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0
            || !uri.AbsolutePath.StartsWith(Path, StringComparison.Ordinal))
        {
            return null;
        }

        var accepted = emulator is null
            ? uri.Scheme == Uri.UriSchemeHttps && uri.IsDefaultPort && RegionOfHost(uri.IdnHost) is not null
            : uri.Scheme == emulator.Scheme && string.Equals(uri.IdnHost, emulator.IdnHost, StringComparison.OrdinalIgnoreCase) && uri.Port == emulator.Port;
        return accepted ? uri : null;
    }

    /// <summary>The Identity Center region the URL's portal host names; null for an emulator's URL or any other.</summary>
    public static string? RegionOf(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps ? RegionOfHost(uri.IdnHost) : null;

    /// <summary>What such a URL looks like, for messages.</summary>
    public static string Example(Uri? emulator) =>
        $"{emulator?.GetLeftPart(UriPartial.Authority) ?? "https://portal.sso.<region>.amazonaws.com"}{Path}…";

    /// <summary>The emulator endpoint of a tenant's settings, when it has one.</summary>
    public static Uri? EmulatorOf(string? endpointUrl) =>
        Uri.TryCreate(endpointUrl, UriKind.Absolute, out var uri) ? uri : null;

    private static string? RegionOfHost(string host) =>
        PortalHost().Match(host) is { Success: true } match
        && match.Groups["region"].Value is var region
        && AwsPartitions.Of(region) is { } partition
        && partition.IdentityCenterRegions.Contains(region)
        && match.Groups["suffix"].Value == partition.DnsSuffix
            ? region
            : null;

    [GeneratedRegex(@"^portal\.sso\.(?<region>[a-z0-9-]+)\.(?<suffix>[a-z.]+)\z", RegexOptions.CultureInvariant)]
    private static partial Regex PortalHost();
}
