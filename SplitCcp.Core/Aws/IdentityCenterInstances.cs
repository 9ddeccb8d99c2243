using SplitCcp.Core.Security;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws;

public abstract record IdentityCenterSearch
{
    private IdentityCenterSearch()
    {
    }

    /// <summary>Identity Center answered in <see cref="Region"/>, its home region, with this instance.</summary>
    public sealed record Found(string Region, IdentityCenterInstance Instance) : IdentityCenterSearch;

    /// <summary>No region asked had an instance; <see cref="Reason"/> says where the portal looked and what the operator can do.</summary>
    public sealed record NotFound(string Reason) : IdentityCenterSearch;
}

/// <summary>
/// Finds where a tenant's IAM Identity Center lives, for the wizard: Identity Center answers only in its home region, so
/// ListInstances is asked region by region in the tenant's partition, most likely first, until one has an instance.
/// </summary>
public sealed class IdentityCenterInstances(TenantService tenants, IAwsAccountFactory accounts)
{
    /// <summary>Null when the tenant was deleted.</summary>
    public async Task<IdentityCenterSearch?> FindAsync(AuthorizedTenant caller, CancellationToken ct = default)
    {
        if (await tenants.GetAsync(caller, ct) is not { } tenant)
        {
            return null;
        }

        var regions = LikelyRegions(tenant.Region);
        var failures = new List<(string Region, AwsFailure Failure)>();
        try
        {
            var account = await accounts.OpenAsync(tenant, ct);
            foreach (var region in regions)
            {
                try
                {
                    if (await account.IdentityCenterIn(region).ListInstancesAsync(ct) is [var instance, ..])
                    {
                        return new IdentityCenterSearch.Found(region, instance);
                    }
                }
                catch (AwsCallException ex)
                {
                    // A region the account has not enabled refuses the call; the home region may still be further on.
                    failures.Add((region, ex.Failure));
                }
            }
        }
        catch (AwsCallException ex)
        {
            return new IdentityCenterSearch.NotFound($"{ex.Failure.Message} Enter the region its metadata URL names instead.");
        }

        var unasked = failures.Count == 0 ? ""
            : $" {failures.Count} of them could not be asked ({string.Join(", ", failures.Select(f => f.Region))}); the first said: {failures[0].Failure.Message}";
        return new IdentityCenterSearch.NotFound(
            $"No IAM Identity Center instance answered in the {regions.Count} regions asked.{unasked} Enable Identity Center in the account, or enter the region its metadata URL names.");
    }

    /// <summary>
    /// Where to look, in order: the tenant's region, the partition's other Amazon Connect regions (organisations tend to keep
    /// their services together), then every other region of the partition where Identity Center runs.
    /// </summary>
    public static IReadOnlyList<string> LikelyRegions(string tenantRegion)
    {
        var partition = AwsPartitions.For(tenantRegion);
        return [.. new[] { tenantRegion }.Concat(partition.Regions).Concat(partition.IdentityCenterRegions).Distinct(StringComparer.Ordinal)
            .Where(partition.IdentityCenterRegions.Contains)];
    }
}
