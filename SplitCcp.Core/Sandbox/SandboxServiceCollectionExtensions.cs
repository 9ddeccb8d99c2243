using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Sandbox;

public static class SandboxServiceCollectionExtensions
{
    /// <summary>
    /// The Sandbox account: options from <c>SplitCcp:Sandbox</c>, its store (needs the <c>SplitCcpDbContext</c> factory and a
    /// <see cref="TimeProvider"/>), fault injection, the console, and <see cref="SandboxAccounts"/>, the account provider of
    /// <see cref="AwsAccessMode.Sandbox"/> tenants.
    /// A <see cref="SandboxRandom"/> registered before this call (seeded, for tests) is kept.
    /// </summary>
    public static IServiceCollection AddSplitCcpSandbox(this IServiceCollection services)
    {
        services.AddOptions<SandboxOptions>().BindConfiguration(SandboxOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(_ => new SandboxRandom());
        services.TryAddSingleton<SandboxFaults>();
        services.TryAddSingleton<SandboxStore>();
        services.TryAddSingleton<SandboxConsole>();
        services.TryAddSingleton<SandboxAccounts>();
        services.AddSingleton<IAwsAccountProvider>(sp => sp.GetRequiredService<SandboxAccounts>());
        return services;
    }
}
