using System.ComponentModel.DataAnnotations;
using System.Net;

namespace SplitCcp.Core.Security;

/// <summary>
/// Company sign-in by OpenID Connect, from <c>SplitCcp:Oidc</c>: the provider, the portal's client there, and which values of
/// one claim give which role. Off while <see cref="Authority"/> is unset.
/// </summary>
public sealed class OidcOptions : IValidatableObject
{
    public const string SectionName = "SplitCcp:Oidc";

    /// <summary>What stands for a tenant's slug in <see cref="TenantAdminPattern"/> and <see cref="ViewerPattern"/>.</summary>
    public const string TenantPlaceholder = "{tenant}";

    /// <summary>The provider's issuer address, such as <c>https://login.contoso.example</c>; HTTPS except on this machine.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Never logged nor shown.</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The provider as the sign-in button names it: "Sign in with Contoso".</summary>
    public string DisplayName { get; set; } = "your company account";

    /// <summary>Scopes asked for besides <c>openid</c>, <c>profile</c> and <c>email</c>, such as <c>groups</c> for a provider that sends groups only when asked.</summary>
    public List<string> Scopes { get; set; } = [];

    /// <summary>The claim whose values give the role, such as <c>groups</c> or <c>roles</c>.</summary>
    public string RoleClaim { get; set; } = "groups";

    /// <summary>Values of <see cref="RoleClaim"/> that make the user an MSP operator.</summary>
    public List<string> OperatorValues { get; set; } = [];

    /// <summary>Values that make the user a Viewer; their tenants come from <see cref="ViewerPattern"/>.</summary>
    public List<string> ViewerValues { get; set; } = [];

    /// <summary>A value naming one tenant by its slug, such as <c>splitccp-admin-{tenant}</c>: the user is that tenant's TenantAdmin.</summary>
    public string? TenantAdminPattern { get; set; }

    /// <summary>A value naming one tenant by its slug, such as <c>splitccp-viewer-{tenant}</c>: the user is a Viewer of that tenant.</summary>
    public string? ViewerPattern { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsConfigured)
        {
            yield break;
        }

        if (!Uri.TryCreate(Authority, UriKind.Absolute, out var authority) || !(authority.Scheme == Uri.UriSchemeHttps || (authority.Scheme == Uri.UriSchemeHttp && IsLoopback(authority))))
        {
            yield return new ValidationResult(
                $"{SectionName}:Authority must be the provider's https:// address, such as https://login.contoso.example (http:// only to this machine).", [nameof(Authority)]);
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            yield return new ValidationResult($"{SectionName}:ClientId must be the portal's client ID at the provider when {SectionName}:Authority is set.", [nameof(ClientId)]);
        }

        if (string.IsNullOrWhiteSpace(ClientSecret))
        {
            yield return new ValidationResult($"{SectionName}:ClientSecret must be the portal's client secret at the provider when {SectionName}:Authority is set.", [nameof(ClientSecret)]);
        }

        if (string.IsNullOrWhiteSpace(RoleClaim))
        {
            yield return new ValidationResult($"{SectionName}:RoleClaim must name the claim that gives the role, such as groups.", [nameof(RoleClaim)]);
        }

        if (string.IsNullOrWhiteSpace(DisplayName))
        {
            yield return new ValidationResult($"{SectionName}:DisplayName must name the provider for the sign-in button, such as Contoso.", [nameof(DisplayName)]);
        }

        foreach (var (name, pattern) in new[] { (nameof(TenantAdminPattern), TenantAdminPattern), (nameof(ViewerPattern), ViewerPattern) })
        {
            if (!string.IsNullOrWhiteSpace(pattern) && !IsPattern(pattern))
            {
                yield return new ValidationResult(
                    $"{SectionName}:{name} must hold {TenantPlaceholder} once, where the tenant's slug goes, such as splitccp-admin-{TenantPlaceholder}.", [name]);
            }
        }

        if (OperatorValues.Count == 0 && ViewerValues.Count == 0 && string.IsNullOrWhiteSpace(TenantAdminPattern) && string.IsNullOrWhiteSpace(ViewerPattern))
        {
            yield return new ValidationResult(
                $"{SectionName}: set OperatorValues, ViewerValues, TenantAdminPattern or ViewerPattern, or nobody can sign in with the provider.", [nameof(OperatorValues)]);
        }
    }

    private static bool IsPattern(string pattern)
    {
        var at = pattern.IndexOf(TenantPlaceholder, StringComparison.Ordinal);
        return at >= 0 && pattern.IndexOf(TenantPlaceholder, at + 1, StringComparison.Ordinal) < 0;
    }

    private static bool IsLoopback(Uri uri) => uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
}
