using Microsoft.Extensions.DependencyInjection;

namespace SplitCcp.Core.Aws;

public static class AwsServiceCollectionExtensions
{
    /// <summary>The portal's own AWS identity (<c>SplitCcp:Aws:PortalPrincipalArn</c>, checked at start-up) and tenants' onboarding templates.</summary>
    public static IServiceCollection AddSplitCcpAwsOnboarding(this IServiceCollection services)
    {
        services.AddOptions<PortalAwsOptions>().BindConfiguration(PortalAwsOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TenantOnboarding>();
        return services;
    }
}
