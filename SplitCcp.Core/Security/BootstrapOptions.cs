namespace SplitCcp.Core.Security;

/// <summary>First-run settings (SplitCcp__Bootstrap__*). Used only while no user exists, except the API token, which is registered whenever it is set.</summary>
public sealed class BootstrapOptions
{
    public const string SectionName = "SplitCcp:Bootstrap";

    public string? AdminEmail { get; set; }

    public string? AdminPassword { get; set; }

    public string? ApiToken { get; set; }
}
