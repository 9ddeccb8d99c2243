using System.Security.Cryptography;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Web.Components.Tenants;

/// <summary>The editable state of the tenant form; becomes a <see cref="TenantInput"/> on save.</summary>
public sealed class TenantFormModel
{
    public string DisplayName { get; set; } = "";

    public string Slug { get; set; } = "";

    public string Region { get; set; } = "us-east-1";

    public AwsAccessMode AccessMode { get; set; } = AwsAccessMode.Sandbox;

    public string RoleArn { get; set; } = "";

    public string ExternalId { get; set; } = "";

    public string AccessKeyId { get; set; } = "";

    public string SecretAccessKey { get; set; } = "";

    public string EndpointUrl { get; set; } = "";

    public int? Version { get; set; }

    public static TenantFormModel New() => new() { ExternalId = NewExternalId() };

    public static TenantFormModel From(TenantView t) => new()
    {
        DisplayName = t.DisplayName,
        Slug = t.Slug,
        Region = t.Region,
        AccessMode = t.AccessMode,
        RoleArn = t.RoleArn ?? "",
        ExternalId = t.ExternalId ?? NewExternalId(),
        AccessKeyId = t.AccessKeyId ?? "",
        EndpointUrl = t.EndpointUrl ?? "",
        Version = t.Version,
    };

    public TenantInput ToInput() => new()
    {
        DisplayName = DisplayName,
        Slug = Slug,
        Region = Region,
        AccessMode = AccessMode.ToString(),
        RoleArn = RoleArn,
        ExternalId = ExternalId,
        AccessKeyId = AccessKeyId,
        SecretAccessKey = SecretAccessKey,
        EndpointUrl = EndpointUrl,
        Version = Version,
    };

    /// <summary>A slug suggested from the display name: lowercase ASCII words joined by single hyphens.</summary>
    public static string SuggestSlug(string displayName)
    {
        var chars = displayName.ToLowerInvariant().Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-');
        var slug = string.Join('-', new string(chars.ToArray()).Split('-', StringSplitOptions.RemoveEmptyEntries));
        slug = slug.TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '-');
        return slug.Length > TenantRules.SlugMaxLength ? slug[..TenantRules.SlugMaxLength].TrimEnd('-') : slug;
    }

    /// <summary>An external ID the operator can hand to the customer: 32 random hex characters.</summary>
    public static string NewExternalId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
