namespace SplitCcp.Core.Tenants.Spec;

/// <summary>
/// Where a spec is applied: the tenant's region and, for a tenant on an emulator (moto, LocalStack), its endpoint. The rules
/// that depend on them (the Identity Center region, the metadata URL's host, what the partition offers) read it.
/// </summary>
public sealed record SpecTarget(string Region, string? EndpointUrl = null)
{
    public static SpecTarget Of(TenantView tenant) => new(tenant.Region, tenant.EndpointUrl);

    public AwsPartition Partition => AwsPartitions.For(Region);

    public Uri? Emulator => IdentityCenterMetadataUrl.EmulatorOf(EndpointUrl);
}
