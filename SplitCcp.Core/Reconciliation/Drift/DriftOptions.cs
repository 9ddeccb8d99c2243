using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>The drift worker's schedule and limits, from <c>SplitCcp:Drift</c>.</summary>
public sealed class DriftOptions
{
    public const string SectionName = "SplitCcp:Drift";

    /// <summary>False to stop the scheduled passes and the check that follows each apply; "check now" still works.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between the start of one scheduled pass and the next.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many tenants are checked at once. Each tenant is its own AWS account with its own rate limits.</summary>
    [Range(1, 1024)]
    public int MaxConcurrency { get; set; } = 64;

    /// <summary>How long one tenant's check may take before it is stopped and reported as failing.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan TenantTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the history keeps a stretch of results after its last check. The latest result is always kept.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00")]
    public TimeSpan HistoryRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Readiness fails when the last finished pass is older than this many intervals.</summary>
    [Range(1, 100)]
    public int StaleAfterIntervals { get; set; } = 3;
}
