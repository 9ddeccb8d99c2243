using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Core.Security;

/// <summary>How long API tokens may live, from <c>SplitCcp:Security</c>.</summary>
public sealed class ApiTokenOptions : IValidatableObject
{
    public const string SectionName = "SplitCcp:Security";

    /// <summary>The shortest maximum: a token lives at least a day.</summary>
    public static readonly TimeSpan ShortestMaximum = TimeSpan.FromDays(1);

    /// <summary>The longest maximum: ten years.</summary>
    public static readonly TimeSpan LongestMaximum = TimeSpan.FromDays(3650);

    /// <summary>The longest lifetime a token may be given when it is issued, in whole days; tokens already issued keep theirs.</summary>
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromDays(365);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxTokenLifetime < ShortestMaximum || MaxTokenLifetime > LongestMaximum)
        {
            yield return new ValidationResult(
                $"SplitCcp:Security:MaxTokenLifetime must be between 1 and 3650 days, such as 365.00:00:00 (365 days), not {MaxTokenLifetime}.",
                [nameof(MaxTokenLifetime)]);
        }
    }
}
