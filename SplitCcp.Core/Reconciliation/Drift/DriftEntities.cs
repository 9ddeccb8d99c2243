using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>
/// A stretch of identical check results for one tenant: a new row when a check finds something different from the last
/// one, otherwise the last row's <see cref="LastCheckedAt"/> and <see cref="Checks"/> move on. A tenant checked every five
/// minutes that stays healthy for a month keeps one row, not 8,640.
/// </summary>
public sealed class DriftReport
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public TenantHealthStatus Status { get; set; }

    public DateTime FirstCheckedAt { get; set; }

    public DateTime LastCheckedAt { get; set; }

    public int Checks { get; set; }

    public int DriftedCount { get; set; }

    public int ErrorCount { get; set; }

    /// <summary>Why the whole check failed or could not run, in an operator's words, clipped to the column; null when it ran.</summary>
    public string? Message { get; set => field = value.Clip(); }

    /// <summary>The <see cref="DriftResource"/> list as JSON.</summary>
    public string ResourcesJson { get; set; } = "[]";

    /// <summary>SHA-256 of the status, message and resources: equal fingerprints mean the same result.</summary>
    public string Fingerprint { get; set; } = "";
}

/// <summary>A tenant's latest check and drift settings: one row per tenant, what the dashboard pages over.</summary>
public sealed class TenantDrift
{
    public Guid TenantId { get; set; }

    public TenantHealthStatus Status { get; set; }

    public DateTime? CheckedAt { get; set; }

    public double? DurationMs { get; set; }

    public int DriftedCount { get; set; }

    public int ErrorCount { get; set; }

    /// <inheritdoc cref="DriftReport.Message"/>
    public string? Message { get; set => field = value.Clip(); }

    public Guid? LatestReportId { get; set; }

    public string? Fingerprint { get; set; }

    /// <summary>Opt-in: when a check finds drift, apply the setup to fix it.</summary>
    public bool AutoRemediate { get; set; }

    /// <summary>
    /// The keys of the resources (and synthetic checks) that have been in line with the setup: found in sync by a check or
    /// brought in sync by an apply. Out of line, one of these is drift; any other is the setup still to finish.
    /// </summary>
    public List<string> InLine { get; set; } = [];

    /// <summary>Adds resources now in line, keeping only those of <paramref name="current"/> when given (what the setup still has).</summary>
    public void RememberInLine(IEnumerable<string> keys, IReadOnlySet<string>? current = null) =>
        InLine = [.. InLine.Concat(keys).Where(k => current is null || current.Contains(k)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
}
