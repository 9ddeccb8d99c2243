using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Web.Metrics;

/// <summary>
/// How <c>/metrics</c> is protected, from <c>SplitCcp:Metrics</c>. Neither set: an MSP operator's API token. <see cref="Token"/>:
/// that bearer token instead. <see cref="Port"/>: served only on that port, anonymously unless a token is set too.
/// </summary>
public sealed class MetricsOptions : IValidatableObject
{
    public const string SectionName = "SplitCcp:Metrics";

    public const int MinTokenLength = 16;

    /// <summary>A bearer token for scrapers; a secret, never logged or shown. Empty counts as unset, as an empty variable in a compose file would.</summary>
    public string? Token { get; set; }

    /// <summary>A port of its own for <c>/metrics</c> (and the health checks), for protection at network level.</summary>
    [Range(1, 65535, ErrorMessage = "SplitCcp:Metrics:Port must be a TCP port (1-65535).")]
    public int? Port { get; set; }

    internal string? RequiredToken => string.IsNullOrWhiteSpace(Token) ? null : Token.Trim();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RequiredToken is { Length: < MinTokenLength })
        {
            yield return new ValidationResult(
                $"{SectionName}:Token must be at least {MinTokenLength} characters: it is all that stands between the metrics and whoever can reach the portal.",
                [nameof(Token)]);
        }
    }
}
