using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Core.Security;

/// <summary>First-run settings (SplitCcp__Bootstrap__*). Used only while no user exists, except the API token, which is registered whenever it is set.</summary>
public sealed class BootstrapOptions : IValidatableObject
{
    public const string SectionName = "SplitCcp:Bootstrap";

    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }

    public string? ApiToken { get; set; }

    /// <summary>Checked at start, before anything is written: a bad token used to abort the host after the operator was made.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(ApiToken) && (!ApiToken.StartsWith(ApiTokenService.TokenPrefix, StringComparison.Ordinal) || ApiToken.Length < 32))
        {
            yield return new ValidationResult(
                $"SplitCcp:Bootstrap:ApiToken must start with '{ApiTokenService.TokenPrefix}' and be at least 32 characters long.", [nameof(ApiToken)]);
        }

        if (string.IsNullOrWhiteSpace(AdminEmail) != string.IsNullOrWhiteSpace(AdminPassword))
        {
            yield return new ValidationResult(
                "SplitCcp:Bootstrap:AdminEmail and SplitCcp:Bootstrap:AdminPassword are set together or not at all.", [nameof(AdminEmail), nameof(AdminPassword)]);
        }
    }
}
