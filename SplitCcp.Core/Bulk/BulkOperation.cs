using System.Text.Json.Serialization;
using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Bulk;

/// <summary>What a bulk operation does to each of its tenants: the single-tenant plan, apply or drift check.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<BulkOperationKind>))]
public enum BulkOperationKind
{
    Plan,
    Apply,
    Check,
}

[JsonConverter(typeof(JsonStringEnumConverter<BulkOperationState>))]
public enum BulkOperationState
{
    /// <summary>Accepted, with waves still to run.</summary>
    Running,

    /// <summary>Every wave ran and every tenant succeeded.</summary>
    Succeeded,

    /// <summary>A wave had failures (<see cref="BulkOperation.StoppedAtWave"/>): the waves after it were not run.</summary>
    Stopped,

    /// <summary>Someone cancelled it; the waves not started by then were not run.</summary>
    Cancelled,
}

[JsonConverter(typeof(JsonStringEnumConverter<BulkTenantState>))]
public enum BulkTenantState
{
    Pending,
    Running,
    Succeeded,

    /// <summary>The plan, apply or check failed; <see cref="BulkOperationTenant.Error"/> says why.</summary>
    Failed,

    /// <summary>Not run: a wave before it failed, or the operation was cancelled before its wave.</summary>
    Skipped,
}

/// <summary>
/// A plan, apply or check across many tenants, run in waves: wave 0 is a canary of one tenant, then waves of
/// <see cref="WaveSize"/> in the order the tenants were chosen. A wave starts only when every tenant of the one before
/// succeeded. Claimed by one portal process at a time, as applies are (<see cref="ClaimedBy"/>, <see cref="LeaseUntil"/>).
/// </summary>
public sealed class BulkOperation
{
    public Guid Id { get; set; }

    public BulkOperationKind Kind { get; set; }

    public BulkOperationState State { get; set; }

    /// <summary>Who started it, as the audit names them.</summary>
    public string RequestedBy { get; set; } = "";

    /// <summary>The user who started it; null for an API token's or the portal's own. Tenant-scoped callers see only their own operations' tenants.</summary>
    public string? RequestedByUserId { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    public int WaveSize { get; set; }

    /// <summary>How many waves there are, the canary included.</summary>
    public int Waves { get; set; }

    /// <summary>The wave that had failures, when <see cref="State"/> is Stopped.</summary>
    public int? StoppedAtWave { get; set; }

    /// <summary>Set by a cancel request; the runner stops before the next wave.</summary>
    public bool CancelRequested { get; set; }

    public string? CancelledBy { get; set; }

    /// <summary>The portal process running it, null until one claims it.</summary>
    public string? ClaimedBy { get; set; }

    /// <summary>Until when the claim holds; the owner renews it while the operation runs.</summary>
    public DateTime? LeaseUntil { get; set; }

    public List<BulkOperationTenant> Tenants { get; set; } = [];
}

/// <summary>One tenant of a bulk operation: its place, its wave and what happened to it.</summary>
public sealed class BulkOperationTenant
{
    public long Id { get; set; }

    public Guid OperationId { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>Its place in the order the tenants were chosen.</summary>
    public int Ordinal { get; set; }

    /// <summary>0 for the canary, then 1, 2, … for the waves after it.</summary>
    public int Wave { get; set; }

    public BulkTenantState State { get; set; }

    /// <summary>Why it failed or was skipped, in the operator's words, clipped to the column.</summary>
    public string? Error { get; set => field = value.Clip(); }

    /// <summary>The apply it started, for a bulk apply.</summary>
    public Guid? ApplyId { get; set; }

    /// <summary>How many changes its plan has (creates and updates), for a bulk plan.</summary>
    public int? Changes { get; set; }

    /// <summary>The health its check found, for a bulk check.</summary>
    public string? Health { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }
}
