using System.Text.Json.Serialization;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>A tenant's health as dashboards see it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TenantHealthStatus>))]
public enum TenantHealthStatus
{
    /// <summary>Never checked, or the setup is not finished so there is nothing to compare yet.</summary>
    Unknown,

    /// <summary>Every resource and synthetic check matches the setup.</summary>
    Healthy,

    /// <summary>At least one resource that was in line with the setup differs from it now, or is missing.</summary>
    Drifted,

    /// <summary>The check could not be completed: AWS refused or failed to answer, or it took too long.</summary>
    Failing,

    /// <summary>
    /// The setup is not finished: console steps not done yet, or resources that have never been in line (not created
    /// yet); nothing that was in line has moved. The report's message says what is left.
    /// </summary>
    Pending,
}

/// <summary>What one check found for one resource.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DriftState>))]
public enum DriftState
{
    InSync,

    /// <summary>Present, with fields that differ from the setup (see <see cref="DriftResource.Changes"/>).</summary>
    Drifted,

    Missing,

    /// <summary>AWS would not answer for it; <see cref="DriftResource.Message"/> says why, in an operator's words.</summary>
    Error,

    /// <summary>Not looked at because something it depends on cannot be checked either.</summary>
    NotChecked,

    /// <summary>Not in line yet, and never has been: an apply or a console step still has to set it up. Not drift.</summary>
    Pending,
}

/// <summary>One resource or synthetic check of a drift report, with the expected and actual value of each differing field.</summary>
public sealed record DriftResource(string Key, string Title, DriftState State, IReadOnlyList<FieldChange> Changes, string? Message)
{
    /// <summary>Drifted or Missing: something that was in line with the setup no longer is, so the tenant is drifted.</summary>
    [JsonIgnore]
    public bool IsOutOfLine => State is DriftState.Drifted or DriftState.Missing;
}

/// <summary>A tenant's latest drift report as the API and the tenant page show it.</summary>
public sealed record TenantHealthReport(
    Guid TenantId,
    string Name,
    TenantHealthStatus Status,
    DateTime? CheckedAt,
    DateTime? StatusSince,
    double? DurationMs,
    string? Message,
    bool AutoRemediate,
    IReadOnlyList<DriftResource> Resources)
{
    public int DriftedCount => Resources.Count(r => r.IsOutOfLine);

    public int PendingCount => Resources.Count(r => r.State == DriftState.Pending);

    public int ErrorCount => Resources.Count(r => r.State == DriftState.Error);
}

/// <summary>One stretch of identical results in a tenant's history: from the first check that found it to the last that confirmed it.</summary>
public sealed record DriftHistoryEntry(
    Guid Id, TenantHealthStatus Status, DateTime FirstCheckedAt, DateTime LastCheckedAt, int Checks, int DriftedCount, int ErrorCount, string? Message,
    IReadOnlyList<DriftResource> Resources);

/// <summary>A tenant's row on the dashboard; <paramref name="LiveSince"/> when it is live (its drift then affects agents).</summary>
public sealed record TenantHealthRow(
    Guid TenantId, string Name, string Slug, string Region, Tenants.AwsAccessMode AccessMode, TenantHealthStatus Status, DateTime? CheckedAt,
    int DriftedCount, int ErrorCount, string? Message, DateTime? LiveSince = null)
{
    /// <summary>Live and drifted: agents are affected, so it comes before every other tenant.</summary>
    public bool IsUrgent => LiveSince is not null && Status == TenantHealthStatus.Drifted;
}

/// <summary>How many tenants in the caller's scope are in each state.</summary>
public sealed record HealthCounts(int Total, int Healthy, int Drifted, int Pending, int Failing, int Unknown)
{
    public int For(TenantHealthStatus status) => status switch
    {
        TenantHealthStatus.Healthy => Healthy,
        TenantHealthStatus.Drifted => Drifted,
        TenantHealthStatus.Pending => Pending,
        TenantHealthStatus.Failing => Failing,
        _ => Unknown,
    };
}

/// <summary>One page of the dashboard's tenant table; <paramref name="AllTenants"/> when the caller sees every tenant (and so the worker's passes).</summary>
public sealed record TenantHealthPage(IReadOnlyList<TenantHealthRow> Items, int TotalCount, int Page, int PageSize, HealthCounts Counts, bool AllTenants);

/// <summary>The dashboard's filter: a status (all when null), a search over names and slugs, and the page to show.</summary>
public sealed record TenantHealthQuery(TenantHealthStatus? Status = null, string? Search = null, int Page = 1, int PageSize = 25)
{
    public const int MaxPageSize = 200;
}

/// <summary>How many tenants in scope were in each state at one moment, for the dashboard's chart.</summary>
public sealed record HealthTrendPoint(DateTime At, int Healthy, int Drifted, int Pending, int Failing);

/// <summary>
/// What the worker has done lately, for readiness and the dashboard. The counts are this portal's: <paramref name="Tenants"/>
/// were due as the pass started, <paramref name="Checked"/> it checked; with replicas on one database the others check the rest.
/// </summary>
public sealed record DriftPassInfo(Guid Id, string Trigger, DateTime StartedAt, DateTime? FinishedAt, int Tenants, int Checked)
{
    /// <summary>The moment a "check all" was asked to check every tenant not checked since, when not its own start.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public DateTime? NotCheckedSince { get; init; }
}
