using SplitCcp.Core.Security;

namespace SplitCcp.Web.Security;

/// <summary>
/// The tenant of a <c>{tenantId}</c> route as <see cref="TenantRouteGuard"/> checked it. An endpoint takes one as a parameter
/// and hands it to the services, which do not check again: a request is checked once.
/// </summary>
internal sealed class CheckedTenant
{
    private CheckedTenant(AuthorizedTenant tenant) => Tenant = tenant;

    public AuthorizedTenant Tenant { get; }

    public Guid Id => Tenant.TenantId;

    public static implicit operator AuthorizedTenant(CheckedTenant tenant) => tenant.Tenant;

    /// <summary>What the guard left on the request; a route that takes one without passing the guard is a bug.</summary>
    public static ValueTask<CheckedTenant?> BindAsync(HttpContext context) => ValueTask.FromResult<CheckedTenant?>(new(
        context.Features.Get<AuthorizedTenant>()
        ?? throw new InvalidOperationException($"The endpoint {context.GetEndpoint()?.DisplayName} takes the checked tenant, but its route has no {{{TenantRouteGuard.RouteParameter}}}.")));

    public AuthorizedTenant ToAuthorizedTenant() => Tenant;
}
