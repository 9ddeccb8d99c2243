namespace SplitCcp.Core.Tenants.Spec;

/// <summary>The stored spec of one tenant: the JSON document and where the wizard left off.</summary>
public sealed class TenantSpecDocument
{
    public Guid TenantId { get; set; }

    public int SchemaVersion { get; set; }

    public string Json { get; set; } = "";

    /// <summary>True while the wizard has not finished: not every section is valid yet.</summary>
    public bool IsDraft { get; set; }

    /// <summary>The wizard step to resume at.</summary>
    public int WizardStep { get; set; }

    public int Version { get; set; }

    public DateTime UpdatedAt { get; set; }

    public string? UpdatedBy { get; set; }
}
