using System.Security.Claims;
using SplitCcp.Core.Security;

namespace SplitCcp.Web.Api;

internal static class ActivityEndpoints
{
    public static RouteGroupBuilder MapActivityEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/activity", ListAsync)
            .RequireAuthorization(Roles.MspOperator)
            .WithTags("Users")
            .WithSummary("The identity activity, newest first (MSP operators): sign-ins and their failures, lock-outs, users created, roles, tenants and disabled flags changed, API tokens issued and revoked, each with who acted, whose account, when and from which address. Filter by 'kind' and by 'userId' (who acted or whose account); 50 per page by default, at most 200. As CSV (?format=csv or Accept: text/csv), every event the filters match.")
            .Produces<IdentityEventPage>();
        return api;
    }

    /// <summary>GET /api/activity, and its CSV download for the Activity page.</summary>
    internal static async Task<IResult> ListAsync(
        HttpContext http, ClaimsPrincipal user, ITenantAccess access, IdentityAudit audit, IdentityEventKind? kind, string? userId, int? page, int? pageSize, CancellationToken ct)
    {
        // The role as the database has it now: a demoted operator's claim may not have caught up yet.
        var scope = await access.GetScopeAsync(user, ct);
        if (!IdentityAudit.CanRead(scope))
        {
            return ApiResults.Forbidden("Only an MSP operator can read the identity activity.");
        }

        var query = new IdentityEventQuery(kind, userId, page ?? 1, pageSize ?? 50);
        return await Csv.OrJsonAsync(http,
            async () => Results.Ok(await audit.ListAsync(scope, query, ct)),
            () => Task.FromResult(new CsvRows<IdentityEventRecord>("identity-activity", audit.ExportAsync(scope, query, ct))));
    }
}
