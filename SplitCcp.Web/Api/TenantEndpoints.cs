using System.Security.Claims;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Api;

internal static class TenantEndpoints
{
    public static RouteGroupBuilder MapTenantEndpoints(this RouteGroupBuilder api)
    {
        var tenants = api.MapGroup("/tenants").WithTags("Tenants");

        tenants.MapGet("/", async (ClaimsPrincipal user, ITenantAccess access, TenantService service, string? search, int? page, int? pageSize, CancellationToken ct) =>
                TypedResults.Ok(await service.ListAsync(await access.GetScopeAsync(user, ct), search, page ?? 1, pageSize ?? 50, ct)))
            .WithSummary("Lists the tenants in the caller's scope, 50 a page by default (at most 200).");

        tenants.MapPost("/", async (ClaimsPrincipal user, TenantService service, TenantInput input, CancellationToken ct) =>
            {
                try
                {
                    return ToResult(await service.CreateAsync(user, input, ct), created: true);
                }
                catch (TenantAccessDeniedException ex)
                {
                    return ApiResults.Forbidden(ex.Message);
                }
            })
            .WithSummary("Creates a tenant (MSP operators).")
            .ProducesValidationProblem();

        tenants.MapGet($"/{{{TenantRouteGuard.RouteParameter}:guid}}", async (CheckedTenant tenant, TenantService service, CancellationToken ct) =>
                await service.GetAsync(tenant, ct) is { } found ? Results.Ok(found) : ApiResults.NotFound("tenant"))
            .WithSummary("Reads one tenant. The secret access key is never returned: 'hasSecretAccessKey' says whether one is stored.");

        tenants.MapPut($"/{{{TenantRouteGuard.RouteParameter}:guid}}", async (CheckedTenant tenant, TenantService service, TenantInput input, CancellationToken ct) =>
                ToResult(await service.UpdateAsync(tenant, input, ct), created: false))
            .WithSummary("Replaces a tenant's settings. Send the 'version' you read; a stale one is answered with 409. An empty secretAccessKey keeps the stored one.")
            .ProducesValidationProblem();

        tenants.MapDelete($"/{{{TenantRouteGuard.RouteParameter}:guid}}", async (CheckedTenant tenant, TenantService service, CancellationToken ct) =>
                await service.DeleteAsync(tenant, ct) ? Results.NoContent() : ApiResults.NotFound("tenant"))
            .WithMetadata(new TenantOperationAttribute(TenantOperation.Manage))
            .WithSummary("Deletes a tenant and everything kept for it (MSP operators).");

        tenants.MapSpecEndpoints();
        tenants.MapArtifactEndpoints();
        tenants.MapReconciliationEndpoints();
        tenants.MapTenantHealthEndpoints();
        tenants.MapGoLiveEndpoints();
        return tenants;
    }

    private static IResult ToResult(TenantSaveResult result, bool created) => result switch
    {
        TenantSaveResult.Saved { Tenant: var t } when created => Results.Created($"/api/tenants/{t.Id}", t),
        TenantSaveResult.Saved { Tenant: var t } => Results.Ok(t),
        TenantSaveResult.Invalid { Errors: var errors } => ApiResults.ValidationFailed(errors),
        TenantSaveResult.Conflict { Message: var message } => ApiResults.Conflict(message),
        TenantSaveResult.NotFound => ApiResults.NotFound("tenant"),
        _ => throw new InvalidOperationException($"Unhandled result {result.GetType().Name}."),
    };
}
