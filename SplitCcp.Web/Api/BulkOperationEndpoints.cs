using System.Security.Claims;
using SplitCcp.Core.Bulk;

namespace SplitCcp.Web.Api;

/// <summary>
/// Bulk plans, applies and checks across tenants, in waves: scoped as the tenant routes are (a tenant outside the caller's
/// scope is a 404, an apply or check by a viewer or a read-only token a 403), refused whole before anything runs.
/// </summary>
internal static class BulkOperationEndpoints
{
    public static RouteGroupBuilder MapBulkOperationEndpoints(this RouteGroupBuilder api)
    {
        var bulk = api.MapGroup("/bulk-operations").WithTags("Bulk changes");

        bulk.MapPost("/", async (ClaimsPrincipal user, BulkOperationService service, BulkOperationRequest request, CancellationToken ct) =>
                await service.StartAsync(user, request, ct) switch
                {
                    BulkStartResult.Started { Operation: var operation } => Results.Accepted($"/api/bulk-operations/{operation.Id}", operation),
                    BulkStartResult.Invalid { Errors: var errors } => ApiResults.ValidationFailed(errors),
                    BulkStartResult.NotFound { TenantIds: var ids } => TypedResults.Problem(statusCode: 404, title: "Not found",
                        detail: $"{(ids.Count == 1 ? "A tenant" : $"{ids.Count} tenants")} chosen do not exist or are outside your scope; nothing was started.",
                        extensions: new Dictionary<string, object?> { ["tenantIds"] = ids }),
                    BulkStartResult.Forbidden { Reason: var reason } => ApiResults.Forbidden(reason),
                    var other => throw new InvalidOperationException($"Unhandled result {other.GetType().Name}."),
                })
            .WithSummary("Starts a plan, apply or check across tenants, in waves, in the background: 202 with the operation and its Location.")
            .WithDescription("{\"operation\": \"plan\"|\"apply\"|\"check\", \"tenantIds\": [...] (in that order) or a filter as the health dashboard's (\"search\", \"health\", or \"allTenants\": true), \"waveSize\": 1–100 (5 by default)}. " +
                "The first tenant is a canary (wave 0); the rest run in waves of waveSize, each wave's tenants side by side, and the next wave starts only when every tenant of this one succeeded (an apply when it has ended, not when it is queued). " +
                "After a wave with failures the operation is Stopped and the tenants of later waves are Skipped. A plan records each tenant's number of changes, a check the health it found. " +
                "Scope as for one tenant: a tenant you cannot reach is 404 and nothing runs; an apply or check needs the TenantAdmin role or higher (403).")
            .Accepts<BulkOperationRequest>("application/json")
            .Produces<BulkOperationView>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound);

        bulk.MapGet("/", async (ClaimsPrincipal user, BulkOperationService service, int? take, CancellationToken ct) =>
                TypedResults.Ok(await service.ListAsync(user, take ?? 20, ct)))
            .WithSummary("The latest bulk operations the caller may see (every one of whose tenants is in their scope), newest first: 20 by default, at most 50.");

        bulk.MapGet("/{operationId:guid}", async (ClaimsPrincipal user, BulkOperationService service, Guid operationId, CancellationToken ct) =>
                await service.GetAsync(user, operationId, ct) is { } operation ? Results.Ok(operation) : ApiResults.NotFound("bulk operation"))
            .WithSummary("One bulk operation's progress: its state (Running, Succeeded, Stopped with the wave that failed, Cancelled), each wave's and each tenant's state (Pending, Running, Succeeded, Failed with why, Skipped), the counts and a summary.")
            .Produces<BulkOperationView>();

        bulk.MapPost("/{operationId:guid}/cancel", async (ClaimsPrincipal user, BulkOperationService service, Guid operationId, CancellationToken ct) =>
                await service.CancelAsync(user, operationId, ct) switch
                {
                    BulkCancelResult.Cancelling => Results.Accepted($"/api/bulk-operations/{operationId}"),
                    BulkCancelResult.Finished => ApiResults.Conflict("This bulk operation has ended already; there is nothing to cancel."),
                    BulkCancelResult.Forbidden => ApiResults.Forbidden("Cancelling an apply or check needs the TenantAdmin role or higher."),
                    _ => ApiResults.NotFound("bulk operation"),
                })
            .WithSummary("Cancels a running bulk operation: the wave under way finishes, no wave after it starts, and the operation ends Cancelled. 409 once it has ended.");

        return bulk;
    }
}
