using Amazon;

namespace SplitCcp.Core.Tenants;

/// <summary>The regions a tenant may choose: those of <see cref="AwsPartitions"/> where Amazon Connect and AppStream 2.0 both run.</summary>
public static class AwsRegions
{
    /// <summary>Every offered region, grouped by partition in <see cref="AwsPartitions.All"/>'s order.</summary>
    public static IReadOnlyList<string> All { get; } = [.. AwsPartitions.All.SelectMany(p => p.Regions)];

    public static bool IsOffered(string? code) => code is not null && All.Contains(code, StringComparer.Ordinal);

    /// <summary>The offered regions of the partitions where the portal can set up a split CCP.</summary>
    public static IReadOnlyList<string> Supported { get; } = [.. AwsPartitions.All.Where(p => p.NotSupported is null).SelectMany(p => p.Regions)];

    /// <summary>True for any region code the AWS SDK knows, whatever runs there.</summary>
    public static bool IsAwsRegionCode(string? code) => code is not null && RegionEndpoint.EnumerableAllRegions.Any(r => r.SystemName == code);

    /// <summary>The region's name as the AWS SDK knows it, such as Europe (London); the code itself when the SDK does not know it.</summary>
    public static string DisplayName(string code) =>
        IsAwsRegionCode(code) ? RegionEndpoint.GetBySystemName(code).DisplayName : code;
}
