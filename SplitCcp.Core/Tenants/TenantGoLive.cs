namespace SplitCcp.Core.Tenants;

/// <summary>
/// A tenant's go-live state: since when it is live (null while it is not), and the last check of its agents. Kept with the
/// tenant, not with the go-live checks, because the drift check reads it too (a live tenant's drift is an outage).
/// </summary>
public sealed class TenantGoLive
{
    public Guid TenantId { get; set; }

    /// <summary>When every go-live check first passed. A later drift leaves it live (agents use it); a failed check done with an agent ends it.</summary>
    public DateTime? LiveSince { get; set; }

    public DateTime? AgentsCheckedAt { get; set; }

    /// <summary>The <see cref="GoLive.AgentReadiness"/> list of the last agents check, as JSON.</summary>
    public string AgentsJson { get; set; } = "[]";
}
