using System.Security.Claims;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Security;

/// <summary>Marks an endpoint or page whose tenant operation is not implied by its HTTP method.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
internal sealed class TenantOperationAttribute(TenantOperation operation) : Attribute
{
    public TenantOperation Operation { get; } = operation;
}

/// <summary>
/// Every route with a <c>{tenantId}</c> parameter, page or API, passes here after authentication: outside the caller's scope
/// it is a 404 that reveals nothing, a write the caller may not make is a 403. This is the request's one access check: what it
/// allows goes on to the endpoint as a <see cref="CheckedTenant"/>. Pages check once per load inside the circuit through the
/// same <see cref="ITenantAccess"/>, because interactive navigation does not come back through the pipeline.
/// </summary>
internal sealed class TenantRouteGuard(RequestDelegate next)
{
    public const string RouteParameter = "tenantId";

    public async Task InvokeAsync(HttpContext context, ITenantAccess access, IProblemDetailsService problems)
    {
        if (!context.Request.RouteValues.TryGetValue(RouteParameter, out var raw) || context.User.Identity?.IsAuthenticated != true)
        {
            await next(context);
            return;
        }

        var check = Guid.TryParse(Convert.ToString(raw, System.Globalization.CultureInfo.InvariantCulture), out var tenantId)
            ? await access.CheckAsync(context.User, tenantId, OperationFor(context), context.RequestAborted)
            : TenantAccessCheck.NotFound;

        switch (check.Result)
        {
            case TenantAccessResult.Allowed:
                context.Features.Set(check.Tenant);
                await next(context);
                return;
            case TenantAccessResult.NotFound:
                await RefuseAsync(context, problems, StatusCodes.Status404NotFound, "Not found", "There is no tenant with this id, or it is outside your scope.");
                return;
            default:
                await RefuseAsync(context, problems, StatusCodes.Status403Forbidden, "Forbidden", ForbiddenDetail(context.User));
                return;
        }
    }

    internal static TenantOperation OperationFor(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<TenantOperationAttribute>()?.Operation
        ?? (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
            ? TenantOperation.Read
            : TenantOperation.Write);

    private static string ForbiddenDetail(ClaimsPrincipal user) =>
        user.HasClaim(SplitCcpClaims.ReadOnly, "true") ? "This API token is read-only."
        : user.IsInRole(Roles.Viewer) ? "Viewers can look but not change anything."
        : "Only an MSP operator can do this.";

    private static async Task RefuseAsync(HttpContext context, IProblemDetailsService problems, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        if (context.Request.Path.StartsWithSegments("/api"))
        {
            await problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = status, Title = title, Detail = detail } });
        }

        // A page request gets the status alone; the status-code page renders the friendly text.
    }
}
