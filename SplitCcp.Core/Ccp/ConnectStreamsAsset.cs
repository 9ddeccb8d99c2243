using System.Security.Cryptography;
using System.Text.Json;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Ccp;

/// <summary>
/// The amazon-connect-streams library (<c>release/connect-streams-min.js</c>) that is published beside the CCP pages as
/// <c>connect-streams.js</c>. Restored by npm from <c>Ccp/Assets/package-lock.json</c> at build time and embedded in this assembly.
/// </summary>
public sealed class ConnectStreamsAsset
{
    private const string LibraryResource = "SplitCcp.Core.Ccp.connect-streams-min.js";
    private const string PackageJsonResource = "SplitCcp.Core.Ccp.amazon-connect-streams.package.json";

    private static readonly Lazy<ConnectStreamsAsset> s_instance = new(Load);

    private ConnectStreamsAsset(byte[] content, string version)
    {
        Content = content;
        Version = version;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(content));
    }

    /// <summary>The one copy embedded in this assembly, read on first use.</summary>
    public static ConnectStreamsAsset Instance => s_instance.Value;

    /// <summary>The name the pages load it by, from their own folder.</summary>
    public static string FileName => SetupValues.ConnectStreamsName;

    public ReadOnlyMemory<byte> Content { get; }

    /// <summary>The version in the package's own package.json.</summary>
    public string Version { get; }

    /// <summary>SHA-256 of <see cref="Content"/>, lowercase hex.</summary>
    public string Sha256 { get; }

    private static ConnectStreamsAsset Load()
    {
        var content = EmbeddedResource.ReadBytes(LibraryResource);
        using var package = JsonDocument.Parse(EmbeddedResource.ReadBytes(PackageJsonResource));
        var version = package.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new InvalidOperationException($"The embedded {PackageJsonResource} has no version.");
        return new ConnectStreamsAsset(content, version);
    }
}
