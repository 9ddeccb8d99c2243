using System.Text.RegularExpressions;
using SplitCcp.Core.Sandbox;

namespace SplitCcp.Core.Tenants.Spec;

/// <summary>A new tenant's starting spec: every name generated from its slug, so the operator only fills in what only they know.</summary>
public static partial class TenantSpecDefaults
{
    public static TenantSpec For(TenantView tenant)
    {
        var slug = tenant.Slug;
        var suffix = tenant.Id.ToString("N")[^6..];
        return new TenantSpec
        {
            AwsAccountId = AccountIdHint(tenant),
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

    /// <summary>The account ID when the tenant's settings already say it: the Sandbox's own, or the account in the assumed role's ARN.</summary>
    public static string? AccountIdHint(TenantView tenant) => tenant.AccessMode switch
    {
        AwsAccessMode.Sandbox => SandboxAccount.AccountIdFor(tenant.Id),
        AwsAccessMode.AssumeRole when tenant.RoleArn is not null && RoleArnAccount().Match(tenant.RoleArn) is { Success: true } m => m.Groups[1].Value,
        _ => null,
    };

    [GeneratedRegex(@"^arn:[a-z-]+:iam::([0-9]{12}):")]
    private static partial Regex RoleArnAccount();
}
