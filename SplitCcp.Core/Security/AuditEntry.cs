using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Security;

/// <summary>What happened to a tenant, by whom and when: spec changes, plans, applies and their steps, Sandbox console changes.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public Guid TenantId { get; set; }

    public DateTime At { get; set; }

    /// <summary>The user's e-mail, an API token's owner, or "system" for the background runner.</summary>
    public string Actor { get; set; } = "";

    public string Action { get; set; } = "";

    /// <summary>What happened, in a sentence or a few; clipped to the column.</summary>
    public string Summary { get; set => field = value.Clip(); } = "";

    /// <summary>The apply this entry belongs to, if any.</summary>
    public Guid? ApplyId { get; set; }
}
