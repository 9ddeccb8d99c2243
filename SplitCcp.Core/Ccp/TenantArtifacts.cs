using SplitCcp.Core.Security;
using System.Text;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Ccp;

/// <summary>A generated file: what the operator downloads and what the hosting bucket serves.</summary>
public sealed record Artifact(string FileName, string ContentType, ReadOnlyMemory<byte> Content);

public abstract record ArtifactResult
{
    private ArtifactResult()
    {
    }

    public sealed record Found(Artifact Artifact) : ArtifactResult;

    /// <summary>The tenant is outside the caller's scope, or there is no artifact of that name.</summary>
    public sealed record NotFound : ArtifactResult;

    /// <summary>The spec does not hold what the file needs yet; <see cref="Reason"/> says what to fill in.</summary>
    public sealed record NotReady(string Reason) : ArtifactResult;
}

/// <summary>Every file the setup needs, generated from a tenant's spec on request.</summary>
public sealed class TenantArtifacts(TenantSpecService specs, CcpPageGenerator pages, ConnectStreamsAsset streams)
{
    public const string ImageBuilderScriptName = "image-builder.ps1";
    public const string AgentChromeRegistryName = "agent-chrome.reg";
    public const string AgentFirefoxPoliciesName = "agent-firefox-policies.json";

    /// <summary>The names that can be downloaded, in the order the tenant page lists them.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        SetupValues.AudioOnlyPageName, SetupValues.InSessionPageName, SetupValues.ConnectStreamsName,
        ImageBuilderScriptName, AgentChromeRegistryName, AgentFirefoxPoliciesName,
    ];

    public static string Describe(string name) => name switch
    {
        SetupValues.AudioOnlyPageName => "Audio-only CCP for the agent's own PC",
        SetupValues.InSessionPageName => "Media-less CCP for the AppStream session",
        SetupValues.ConnectStreamsName => "amazon-connect-streams library",
        ImageBuilderScriptName => "Browser policies and Image Assistant set-up for the image builder",
        AgentChromeRegistryName => "Chrome and Edge policies for agents' PCs",
        AgentFirefoxPoliciesName => "Firefox policies for agents' PCs",
        _ => name,
    };

    public async Task<ArtifactResult> GetAsync(AuthorizedTenant caller, string name, CancellationToken ct = default)
    {
        if (!Names.Contains(name, StringComparer.Ordinal) || await specs.GetAsync(caller, ct) is not { } found)
        {
            return new ArtifactResult.NotFound();
        }

        return Generate(name, found.Tenant, found.Record);
    }

    /// <summary>For each file the saved spec cannot produce yet, what is missing; null when the tenant was deleted. Reads the spec once.</summary>
    public async Task<IReadOnlyDictionary<string, string>?> NotReadyAsync(AuthorizedTenant caller, CancellationToken ct = default)
    {
        if (await specs.GetAsync(caller, ct) is not { } found)
        {
            return null;
        }

        return Names
            .Select(name => (name, result: Generate(name, found.Tenant, found.Record)))
            .Where(x => x.result is ArtifactResult.NotReady)
            .ToDictionary(x => x.name, x => ((ArtifactResult.NotReady)x.result).Reason, StringComparer.Ordinal);
    }

    private ArtifactResult Generate(string name, Tenants.TenantView tenant, TenantSpecRecord record)
    {
        if (name == SetupValues.ConnectStreamsName)
        {
            return new ArtifactResult.Found(new Artifact(name, "text/javascript; charset=utf-8", streams.Content));
        }

        var spec = record.Spec;
        var values = record.Values(tenant.Region);
        try
        {
            return new ArtifactResult.Found(name switch
            {
                SetupValues.AudioOnlyPageName => Text(name, "text/html; charset=utf-8", pages.AudioOnlyPage(values, spec.CcpPages)),
                SetupValues.InSessionPageName => Text(name, "text/html; charset=utf-8", pages.InSessionPage(values, spec.CcpPages)),
                ImageBuilderScriptName => Text(name, "text/plain; charset=utf-8", BrowserPolicyGenerator.ImageBuilderScript(values, spec.AppStream)),
                AgentChromeRegistryName => new Artifact(name, "text/plain; charset=utf-16",
                    Encode(BrowserPolicyGenerator.RegistryFileEncoding, BrowserPolicyGenerator.AgentChromeRegistry(values))),
                _ => Text(name, "application/json; charset=utf-8", BrowserPolicyGenerator.AgentFirefoxPolicies(values)),
            });
        }
        catch (InvalidOperationException ex)
        {
            // The generators name what is missing (an alias, the start URL, the CloudFront domain…).
            return new ArtifactResult.NotReady(ex.Message);
        }
    }

    private static Artifact Text(string name, string contentType, string text) => new(name, contentType, Encoding.UTF8.GetBytes(text));

    private static byte[] Encode(Encoding encoding, string text) => [.. encoding.GetPreamble(), .. encoding.GetBytes(text)];
}
