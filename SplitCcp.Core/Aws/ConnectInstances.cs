using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;

namespace SplitCcp.Core.Aws;

public abstract record ConnectInstanceListing
{
    private ConnectInstanceListing()
    {
    }

    public sealed record Listed(IReadOnlyList<ConnectInstance> Instances) : ConnectInstanceListing;

    /// <summary>The instances cannot be listed for this tenant; <see cref="Reason"/> says what the operator can do instead.</summary>
    public sealed record Unavailable(string Reason) : ConnectInstanceListing;
}

/// <summary>Lists a tenant's Connect instances for the wizard's picker, from its account.</summary>
public sealed class ConnectInstances(TenantService tenants, IAwsAccountFactory accounts)
{
    public async Task<ConnectInstanceListing?> ListAsync(AuthorizedTenant caller, CancellationToken ct = default)
    {
        var tenant = await tenants.GetAsync(caller, ct);
        if (tenant is null)
        {
            return null;
        }

        try
        {
            var account = await accounts.OpenAsync(tenant, ct);
            var instances = await account.Connect.ListInstancesAsync(ct);
            return new ConnectInstanceListing.Listed(instances.OrderBy(i => i.Alias, StringComparer.OrdinalIgnoreCase).ToList());
        }
        catch (AwsCallException ex)
        {
            return new ConnectInstanceListing.Unavailable($"{ex.Failure.Message} Enter the instance ID and alias from the Amazon Connect console instead.");
        }
    }
}
