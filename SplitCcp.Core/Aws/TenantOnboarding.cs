using System.Text;
using Microsoft.Extensions.Options;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws;

/// <summary>A tenant's onboarding template, for callers who may read the tenant.</summary>
public sealed class TenantOnboarding(TenantService tenants, IOptions<PortalAwsOptions> options)
{
    /// <summary>The principal the templates trust, or null when each template asks the customer for it.</summary>
    public string? PortalPrincipalArn => string.IsNullOrEmpty(options.Value.PortalPrincipalArn) ? null : options.Value.PortalPrincipalArn;

    /// <summary>The template as a file; NotFound when the tenant was deleted, NotReady unless the tenant uses AssumeRole with an external ID.</summary>
    public async Task<ArtifactResult> GetTemplateAsync(AuthorizedTenant caller, CancellationToken ct = default)
    {
        if (await tenants.GetAsync(caller, ct) is not { } tenant)
        {
            return new ArtifactResult.NotFound();
        }

        if (tenant.AccessMode != AwsAccessMode.AssumeRole || string.IsNullOrEmpty(tenant.ExternalId))
        {
            return new ArtifactResult.NotReady($"the tenant's access mode is {tenant.AccessMode}; the template is for {AwsAccessMode.AssumeRole} with an external ID");
        }

        var partition = AwsPartitions.For(tenant.Region);
        if (OnboardingTemplate.PortalPrincipalPartition(PortalPrincipalArn, partition) is { } crossPartition)
        {
            return new ArtifactResult.NotReady(crossPartition);
        }

        var yaml = OnboardingTemplate.Generate(tenant.Slug, tenant.ExternalId, PortalPrincipalArn, partition);
        return new ArtifactResult.Found(new Artifact(
            OnboardingTemplate.FileNameFor(tenant.Slug), $"{OnboardingTemplate.ContentType}; charset=utf-8", Encoding.UTF8.GetBytes(yaml)));
    }
}
