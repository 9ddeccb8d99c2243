using System.Collections.Frozen;
using Amazon;

namespace SplitCcp.Core.Tenants;

/// <summary>The region codes AWS publishes, as the AWS SDK knows them.</summary>
public static class AwsRegions
{
    private static readonly FrozenSet<string> s_codes =
        RegionEndpoint.EnumerableAllRegions.Select(r => r.SystemName).ToFrozenSet(StringComparer.Ordinal);

    public static IReadOnlyList<string> All { get; } = s_codes.Order(StringComparer.Ordinal).ToArray();

    public static bool IsKnown(string? code) => code is not null && s_codes.Contains(code);

    public static string DisplayName(string code) =>
        IsKnown(code) ? RegionEndpoint.GetBySystemName(code).DisplayName : code;
}
