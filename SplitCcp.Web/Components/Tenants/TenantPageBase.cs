using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Components.Tenants;

/// <summary>
/// Base for every page with a <c>{tenantId}</c> route. The pipeline's TenantRouteGuard refuses the first request; this
/// repeats the check inside the circuit, where interactive navigation never passes the pipeline: once per load of the page
/// (or change of its tenant), and the page hands <see cref="Authorized"/> to its components and the services.
/// </summary>
public abstract class TenantPageBase : ComponentBase
{
    private AuthorizedTenant? _authorized;

    [Parameter]
    public Guid TenantId { get; set; }

    [CascadingParameter]
    protected Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    protected ITenantAccess Access { get; set; } = default!;

    /// <summary>Null until checked; then whether the caller sees this tenant.</summary>
    protected TenantAccessResult? ReadAccess { get; private set; }

    /// <summary>The tenant as this load's check found it, with what the caller may do: for what the page loads and does once allowed.</summary>
    protected AuthorizedTenant Authorized => _authorized ?? throw new InvalidOperationException("The tenant is not allowed (or not checked yet): nothing may load it.");

    protected bool CanWrite => _authorized?.CanWrite == true;

    protected bool CanManage => _authorized?.CanManage == true;

    protected override async Task OnParametersSetAsync()
    {
        var check = await Access.CheckAsync((await AuthState).User, TenantId, TenantOperation.Read);
        ReadAccess = check.Result;
        _authorized = check.Tenant;
        if (_authorized is not null)
        {
            await OnTenantAllowedAsync();
        }
    }

    /// <summary>Loads the page's data once access is confirmed.</summary>
    protected abstract Task OnTenantAllowedAsync();
}
