using System.ComponentModel.DataAnnotations;

namespace SplitCcp.Core.Bulk;

/// <summary>Limits of bulk operations, from <c>SplitCcp:Bulk</c>.</summary>
public sealed class BulkOptions
{
    public const string SectionName = "SplitCcp:Bulk";

    /// <summary>How many tenants one bulk operation may take.</summary>
    [Range(1, 10000)]
    public int MaxTenants { get; set; } = 500;

    /// <summary>How many tenants of a wave are worked on at once.</summary>
    [Range(1, 100)]
    public int MaxParallel { get; set; } = 10;

    /// <summary>How often a bulk apply looks whether the applies of its wave have ended.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
