using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Components.Tenants;

/// <summary>
/// Base for every page with a <c>{tenantId}</c> route. The pipeline's TenantRouteGuard refuses the first request; this
/// repeats the check inside the circuit, where interactive navigation never passes the pipeline.
/// </summary>
public abstract class TenantPageBase : ComponentBase
{
    [Parameter]
    public Guid TenantId { get; set; }

    [CascadingParameter]
    protected Task<AuthenticationState> AuthState { get; set; } = default!;

    [Inject]
    protected ITenantAccess Access { get; set; } = default!;

    /// <summary>Null until checked; then what the caller may do with this tenant.</summary>
    protected TenantAccessResult? ReadAccess { get; private set; }

    protected TenantScope Scope { get; private set; } = TenantScope.None;

    protected bool CanWrite => ReadAccess == TenantAccessResult.Allowed && Scope.CanWrite;

    protected override async Task OnParametersSetAsync()
    {
        var user = (await AuthState).User;
        Scope = await Access.GetScopeAsync(user);
        ReadAccess = await Access.CheckAsync(user, TenantId, TenantOperation.Read);
        if (ReadAccess == TenantAccessResult.Allowed)
        {
            await OnTenantAllowedAsync();
        }
    }

    /// <summary>Loads the page's data once access is confirmed.</summary>
    protected abstract Task OnTenantAllowedAsync();
}
