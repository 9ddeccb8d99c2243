namespace SplitCcp.Core.Tenants.Spec;

/// <summary>A new tenant's starting spec: every name generated from its slug, so the operator only fills in what only they know.</summary>
public static class TenantSpecDefaults
{
    /// <param name="accountId">The account ID the tenant's access settings tell (see <see cref="IKnownAccountIds"/>), or null.</param>
    public static TenantSpec For(TenantView tenant, string? accountId)
    {
        var slug = tenant.Slug;
        var suffix = tenant.Id.ToString("N")[^6..];
        return new TenantSpec
        {
            AwsAccountId = accountId,
            Iam = new IamSpec
            {
                SamlProviderName = $"SplitCcp-{slug}-IdentityCenter",
                FederationPolicyName = $"SplitCcp-{slug}-ConnectFederation",
                FederationRoleName = $"SplitCcp-{slug}-Agent",
            },
            Hosting = new HostingSpec { BucketName = $"splitccp-{slug}-{suffix}", Mode = HostingMode.CloudFront },
            AppStream = new AppStreamSpec
            {
                ImageBuilder = new ImageBuilderSpec { Name = $"splitccp-{slug}-builder" },
                ImageName = $"splitccp-{slug}-ccp",
                Fleet = new FleetSpec { Name = $"splitccp-{slug}-fleet" },
                StackName = $"splitccp-{slug}-stack",
            },
        };
    }
}
