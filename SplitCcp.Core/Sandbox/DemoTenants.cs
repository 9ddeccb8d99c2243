using System.Security.Claims;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Sandbox;

/// <summary>
/// A one-click tenant on the Sandbox with a complete setup, so a newcomer can plan and apply the whole split CCP in minutes.
/// The console-only Identity Center application is "created" in its Sandbox account the way an operator would in AWS.
/// </summary>
public sealed class DemoTenants(ITenantAccess access, TenantService tenants, TenantSpecService specs, SandboxConsole console)
{
    public const string Region = "eu-west-2";

    /// <summary>Demo slugs tried before giving up: demo, demo-2 … demo-100.</summary>
    public const int MaxDemoTenants = 100;

    /// <exception cref="TenantAccessDeniedException">The caller may not create tenants.</exception>
    /// <exception cref="DemoTenantsExhaustedException">Every demo slug is taken.</exception>
    public async Task<TenantView> CreateAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        var tenant = await CreateTenantAsync(user, ct);
        var created = (await access.CheckAsync(user, tenant.Id, TenantOperation.Manage, ct)).Tenant
            ?? throw new TenantAccessDeniedException("Only an MSP operator can create tenants.");
        try
        {
            await SetUpAsync(created, tenant, ct);
            return tenant;
        }
        catch
        {
            // No half-made demo tenant is left behind.
            await tenants.DeleteAsync(created, CancellationToken.None);
            throw;
        }
    }

    /// <summary>
    /// Gives an existing Sandbox tenant the demo's complete setup: an Identity Center SAML application made in its console
    /// and a spec that matches its seeded world. For tools that make many such tenants under names of their own.
    /// </summary>
    public async Task SetUpAsync(AuthorizedTenant caller, TenantView tenant, CancellationToken ct = default)
    {
        var world = await console.GetWorldAsync(tenant.Id, ct);
        var application = await console.CreateSamlApplicationAsync(tenant.Id, "SplitCcp CCP", ct);

        var spec = TenantSpecDefaults.For(tenant, world.AccountId);
        spec.Connect = new ConnectSpec
        {
            InstanceMode = ConnectInstanceMode.Create,
            InstanceAlias = $"{tenant.Slug}-split-ccp",
            Agents = world.Users.Where(u => u.Group == "Agents").Take(3)
                .Select(u => new AgentUserSpec { Email = u.UserName, FirstName = u.FirstName, LastName = u.LastName }).ToList(),
            PhoneNumber = new PhoneNumberSpec { CountryCode = "US", Type = PhoneNumberType.Did },
        };
        spec.IdentityCenter = new IdentityCenterSpec
        {
            InstanceArn = world.IdentityCenterInstanceArn,
            Region = world.IdentityCenterRegion,
            ApplicationArn = application.ApplicationArn,
            MetadataUrl = application.MetadataUrl,
            StartUrl = application.StartUrl,
            AssignedGroups = ["Agents"],
        };
        spec.AppStream.ImageBuilder.SubnetIds = ["subnet-0a1b2c3d4e5f60718"];
        spec.AppStream.ImageBuilder.SecurityGroupIds = ["sg-0a1b2c3d4e5f60718"];

        var saved = await specs.SaveCompleteAsync(caller, spec, expectedVersion: null, ct);
        if (saved is not SpecSaveResult.Saved)
        {
            throw new InvalidOperationException($"The demo tenant could not be set up: its setup was refused ({saved}). This is a bug in the demo's spec.");
        }
    }

    private async Task<TenantView> CreateTenantAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        for (var n = 1; ; n++)
        {
            var input = new TenantInput
            {
                DisplayName = n == 1 ? "Demo contact center" : $"Demo contact center {n}",
                Slug = n == 1 ? "demo" : $"demo-{n}",
                Region = Region,
                AccessMode = nameof(AwsAccessMode.Sandbox),
            };
            switch (await tenants.CreateAsync(user, input, ct))
            {
                case TenantSaveResult.Saved saved:
                    return saved.Tenant;
                case TenantSaveResult.Invalid invalid when invalid.Errors.ContainsKey("slug") && n < MaxDemoTenants:
                    continue;
                case TenantSaveResult.Invalid invalid when invalid.Errors.ContainsKey("slug"):
                    throw new DemoTenantsExhaustedException();
                case var other:
                    throw new InvalidOperationException($"The demo tenant could not be created: {other}.");
            }
        }
    }
}

/// <summary>A state of the portal, not a fault: every demo slug is in use, and the operator decides which demo tenants to delete.</summary>
public sealed class DemoTenantsExhaustedException() : InvalidOperationException(
    $"There are already {DemoTenants.MaxDemoTenants} demo tenants (demo to demo-{DemoTenants.MaxDemoTenants}). Delete the ones you no longer need, then try again.");
