using SplitCcp.Core.Reconciliation.Drift;

namespace SplitCcp.Core.Bulk;

/// <summary>
/// A bulk operation as asked for: the operation ("plan", "apply" or "check"), and the tenants, either listed in
/// <see cref="TenantIds"/> (in that order) or chosen by a filter as the health dashboard's (<see cref="Search"/>,
/// <see cref="Health"/>; every tenant in scope when neither is given and <see cref="AllTenants"/> is true).
/// </summary>
public sealed record BulkOperationRequest
{
    public string? Operation { get; init; }

    public IReadOnlyList<Guid>? TenantIds { get; init; }

    /// <summary>Part of the tenants' names or slugs, as the tenant list's search.</summary>
    public string? Search { get; init; }

    /// <summary>Only the tenants in this health: Unknown, Healthy, Drifted, Failing or Pending.</summary>
    public string? Health { get; init; }

    /// <summary>Every tenant in the caller's scope; with <see cref="Search"/> or <see cref="Health"/>, every one they match.</summary>
    public bool AllTenants { get; init; }

    /// <summary>How many tenants each wave after the canary takes: 1 to 100, 5 when not given.</summary>
    public int? WaveSize { get; init; }
}

/// <summary>One tenant of a bulk operation as the API and the page show it.</summary>
public sealed record BulkTenantView(
    Guid TenantId, string Name, int Wave, BulkTenantState State, string? Error, Guid? ApplyId, int? Changes, string? Health, DateTime? StartedAt, DateTime? FinishedAt);

/// <summary>One wave: its number (0 the canary), its state, and how many of its tenants are in each state.</summary>
public sealed record BulkWaveView(int Wave, BulkTenantState State, int Tenants, int Succeeded, int Failed, int Skipped);

/// <summary>How many tenants of an operation are in each state.</summary>
public sealed record BulkCounts(int Total, int Pending, int Running, int Succeeded, int Failed, int Skipped);

/// <summary>A bulk operation with its waves and tenants, and a sentence that sums it up.</summary>
public sealed record BulkOperationView(
    Guid Id, BulkOperationKind Kind, BulkOperationState State, string RequestedBy, DateTime CreatedAt, DateTime? FinishedAt, int WaveSize, int Waves,
    int? StoppedAtWave, bool CancelRequested, string? CancelledBy, BulkCounts Counts, string Summary, IReadOnlyList<BulkWaveView> WaveStates, IReadOnlyList<BulkTenantView> Tenants)
{
    public bool IsActive => State == BulkOperationState.Running;
}

/// <summary>A bulk operation in the list of recent ones, without its tenants.</summary>
public sealed record BulkOperationSummary(
    Guid Id, BulkOperationKind Kind, BulkOperationState State, string RequestedBy, DateTime CreatedAt, DateTime? FinishedAt, int Waves, int? StoppedAtWave, BulkCounts Counts, string Summary);

public abstract record BulkStartResult
{
    private BulkStartResult()
    {
    }

    public sealed record Started(BulkOperationView Operation) : BulkStartResult;

    /// <summary>What is wrong with the request, by field.</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : BulkStartResult;

    /// <summary>Tenants that do not exist or lie outside the caller's scope, as a tenant route answers 404.</summary>
    public sealed record NotFound(IReadOnlyList<Guid> TenantIds) : BulkStartResult;

    /// <summary>The caller sees the tenants but may not do this to them; <see cref="Reason"/> says why.</summary>
    public sealed record Forbidden(string Reason) : BulkStartResult;
}

public enum BulkCancelResult
{
    Cancelling,

    /// <summary>It has ended already; nothing to cancel.</summary>
    Finished,

    Forbidden,
    NotFound,
}

/// <summary>The health filter's name for the request's field, and how it reads.</summary>
internal static class BulkHealth
{
    public static bool TryParse(string? text, out TenantHealthStatus? status)
    {
        status = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (EnumNames.TryParse<TenantHealthStatus>(text, out var parsed))
        {
            status = parsed;
            return true;
        }

        return false;
    }
}
