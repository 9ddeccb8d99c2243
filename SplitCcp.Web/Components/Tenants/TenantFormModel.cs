using System.Collections.Frozen;
using System.Security.Cryptography;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Web.Components.Tenants;

/// <summary>The editable state of the tenant form; becomes a <see cref="TenantInput"/> on save.</summary>
public sealed class TenantFormModel
{
    private static readonly FrozenDictionary<char, string> s_unaccented = new Dictionary<char, string>
    {
        ['à'] = "a", ['á'] = "a", ['â'] = "a", ['ã'] = "a", ['ä'] = "a", ['å'] = "a", ['ā'] = "a", ['ą'] = "a", ['æ'] = "ae",
        ['ç'] = "c", ['ć'] = "c", ['č'] = "c", ['ď'] = "d", ['đ'] = "d", ['è'] = "e", ['é'] = "e", ['ê'] = "e", ['ë'] = "e",
        ['ē'] = "e", ['ę'] = "e", ['ě'] = "e", ['ğ'] = "g", ['ì'] = "i", ['í'] = "i", ['î'] = "i", ['ï'] = "i", ['ı'] = "i",
        ['ł'] = "l", ['ñ'] = "n", ['ń'] = "n", ['ň'] = "n", ['ò'] = "o", ['ó'] = "o", ['ô'] = "o", ['õ'] = "o", ['ö'] = "o",
        ['ø'] = "o", ['ő'] = "o", ['œ'] = "oe", ['ř'] = "r", ['ś'] = "s", ['š'] = "s", ['ş'] = "s", ['ß'] = "ss", ['ť'] = "t",
        ['ù'] = "u", ['ú'] = "u", ['û'] = "u", ['ü'] = "u", ['ū'] = "u", ['ů'] = "u", ['ű'] = "u", ['ý'] = "y", ['ÿ'] = "y",
        ['ź'] = "z", ['ż'] = "z", ['ž'] = "z", ['þ'] = "th", ['ð'] = "d",
    }.ToFrozenDictionary();

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
        // "Société Générale" suggests societe-generale: accents are dropped rather than turned into hyphens.
        // (The app runs with invariant globalization, where string.Normalize cannot decompose, hence the table.)
        var plain = string.Concat(displayName.Select(c => s_unaccented.TryGetValue(char.ToLowerInvariant(c), out var bare) ? bare : char.ToLowerInvariant(c).ToString()));
        var chars = plain.Select(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-');
        var slug = string.Join('-', new string(chars.ToArray()).Split('-', StringSplitOptions.RemoveEmptyEntries));
        slug = slug.TrimStart('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '-');
        return slug.Length > TenantRules.SlugMaxLength ? slug[..TenantRules.SlugMaxLength].TrimEnd('-') : slug;
    }

    /// <summary>An external ID the operator can hand to the customer: 32 random hex characters.</summary>
    public static string NewExternalId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
