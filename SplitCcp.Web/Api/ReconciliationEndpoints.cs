using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Api;

internal static class ReconciliationEndpoints
{
    public static RouteGroupBuilder MapReconciliationEndpoints(this RouteGroupBuilder tenants)
    {
        var route = $"/{{{TenantRouteGuard.RouteParameter}:guid}}";

        tenants.MapPost($"{route}/plan", async (CheckedTenant tenant, ReconciliationService service, CancellationToken ct) =>
                await service.PlanAsync(tenant, ct) switch
                {
                    PlanResult.Planned { Plan: var plan } => Results.Ok(plan),
                    PlanResult.Unavailable { Reason: var reason } =>
                        TypedResults.Problem(statusCode: 502, title: "The tenant's AWS account could not be opened", detail: reason),
                    _ => ApiResults.NotFound("tenant"),
                })
            .WithMetadata(new TenantOperationAttribute(TenantOperation.Read))
            .WithSummary("Compares the tenant's spec with its AWS account (read-only calls) and lists every resource in dependency order as InSync, Create, Update (with expected and actual fields), Manual (with instructions) or Blocked (with what on). Its 'fingerprint' names this plan to POST …/apply.")
            .Produces<Plan>()
            .WithTags("Plan and apply");

        tenants.MapPost($"{route}/apply", async (CheckedTenant tenant, ReconciliationService service, ApplyRequest? request, CancellationToken ct) =>
                await service.StartApplyAsync(tenant, request?.PlanFingerprint, ct) switch
                {
                    ApplyStartResult.Started { Apply: var apply } => Results.Accepted($"/api/tenants/{tenant.Id}/applies/{apply.Id}", apply),
                    ApplyStartResult.PlanChanged changed => PlanChanged(tenant.Id, changed),
                    ApplyStartResult.AlreadyRunning { ApplyId: var running } => TypedResults.Problem(statusCode: 409, title: "An apply is already running",
                        detail: "This tenant has an apply in progress; wait for it to finish, then apply again.",
                        extensions: new Dictionary<string, object?> { ["activeApplyId"] = running, ["activeApply"] = $"/api/tenants/{tenant.Id}/applies/{running}" }),
                    ApplyStartResult.Invalid { Errors: var errors } => ApiResults.ValidationFailed(errors),
                    ApplyStartResult.NotReady { Reason: var reason } => ApiResults.Conflict(reason),
                    ApplyStartResult.Unavailable { Reason: var reason } =>
                        TypedResults.Problem(statusCode: 502, title: "The tenant's AWS account could not be opened", detail: reason),
                    ApplyStartResult.Forbidden => ApiResults.Forbidden("Applying needs the TenantAdmin role or higher."),
                    _ => ApiResults.NotFound("tenant"),
                })
            .WithSummary("Applies the plan you confirmed, named by its fingerprint ({\"planFingerprint\": \"…\"}, from POST …/plan), in the background: 202 with the apply and its Location.")
            .WithDescription("The portal plans the tenant again first. If that plan's fingerprint differs (AWS or the setup changed since you planned), nothing is applied: " +
                "409 \"The plan changed\" with 'changes' (each resource added, removed, or whose action or fields changed), the fresh 'plan' and its 'planFingerprint'; review it and apply again with that fingerprint. " +
                "409 \"An apply is already running\" (with 'activeApplyId') while another apply of the tenant runs. 400 when the fingerprint is missing or not 64 hex digits: plan first. " +
                "The apply runs the plan accepted, stored as its steps; each step reads AWS again right before it acts.")
            .Accepts<ApplyRequest>("application/json")
            .Produces<ApplyView>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithTags("Plan and apply");

        tenants.MapGet($"{route}/applies", async (CheckedTenant tenant, ReconciliationService service, int? take, CancellationToken ct) =>
                Results.Ok(await service.ListAppliesAsync(tenant, take ?? 20, ct)))
            .WithSummary("The tenant's latest applies, newest first (20 by default, at most 50), without their steps.")
            .WithTags("Plan and apply");

        tenants.MapGet($"{route}/applies/{{applyId:guid}}", async (CheckedTenant tenant, ReconciliationService service, Guid applyId, CancellationToken ct) =>
                await service.GetApplyAsync(tenant, applyId, ct) is { } apply ? Results.Ok(apply) : ApiResults.NotFound("apply"))
            .WithSummary("One apply with its steps: Pending, Running, InProgress (waiting on AWS), Succeeded, Failed or Skipped, each with its message.")
            .Produces<ApplyView>()
            .WithTags("Plan and apply");

        tenants.MapGet($"{route}/audit", AuditAsync)
            .WithSummary("The tenant's history, newest first: spec changes, plans, applies and each step's result, with who and when. Page with 'before' (an entry id) and 'take' (at most 200). As CSV (?format=csv or Accept: text/csv), the whole history.")
            .Produces<IReadOnlyList<AuditRecord>>()
            .WithTags("Audit");

        tenants.MapPost($"{route}/sandbox/tamper", async (CheckedTenant tenant, SandboxChanges changes, SandboxChangeRequest request, CancellationToken ct) =>
                await changes.ApplyAsync(tenant, request, ct) switch
                {
                    SandboxChangeResult.Done { Summary: var summary } => Results.Ok(new { resource = request.Resource, summary }),
                    SandboxChangeResult.Invalid { Errors: var errors } => ApiResults.ValidationFailed(errors),
                    SandboxChangeResult.NotSandbox => ApiResults.Conflict("This tenant uses a real AWS account; console changes are simulated only on Sandbox tenants."),
                    SandboxChangeResult.Forbidden => ApiResults.Forbidden("Simulating changes needs the TenantAdmin role or higher."),
                    _ => ApiResults.NotFound("tenant"),
                })
            .WithSummary("Sandbox tenants only: simulates a change made in the AWS console to one resource of the plan, named by its key. 'change' is Delete, Alter (with 'field' and 'value') or Complete (do a manual resource's console step as its instructions say: create the Identity Center SAML application and paste its ARN, metadata URL and start URL into the setup, or capture the AppStream image), so drift shows without AWS.")
            .WithTags("Sandbox");

        return tenants;
    }

    private static ProblemHttpResult PlanChanged(Guid tenantId, ApplyStartResult.PlanChanged changed) =>
        TypedResults.Problem(statusCode: 409, title: "The plan changed",
            detail: changed.Changes is { } changes
                ? $"The tenant's plan is not the one you confirmed: {Describe(changes)}. Nothing was applied. Review the plan in 'plan' and apply again with its fingerprint."
                : "The tenant's plan is not the one you confirmed, which this portal no longer has to compare. Nothing was applied. Review the plan in 'plan' and apply again with its fingerprint.",
            extensions: new Dictionary<string, object?>
            {
                ["planFingerprint"] = changed.Plan.Fingerprint,
                ["changes"] = changed.Changes,
                ["plan"] = changed.Plan,
                ["planUrl"] = $"/api/tenants/{tenantId}/plan",
            });

    private static string Describe(IReadOnlyList<PlanItemChange> changes) => changes.Count == 0
        ? "the same resources with the same changes, in another order"
        : string.Join(", ", Enum.GetValues<PlanChangeKind>()
            .Select(kind => (kind, count: changes.Count(c => c.Kind == kind)))
            .Where(k => k.count > 0)
            .Select(k => $"{k.count} {(k.count == 1 ? "resource" : "resources")} {k.kind.ToString().ToLowerInvariant()}"));

    public static RouteGroupBuilder MapDemoTenantEndpoints(this RouteGroupBuilder api)
    {
        api.MapPost("/demo-tenants", async (ClaimsPrincipal user, DemoTenants demos, CancellationToken ct) =>
            {
                try
                {
                    var tenant = await demos.CreateAsync(user, ct);
                    return Results.Created($"/api/tenants/{tenant.Id}", tenant);
                }
                catch (TenantAccessDeniedException ex)
                {
                    return ApiResults.Forbidden(ex.Message);
                }
                catch (DemoTenantsExhaustedException ex)
                {
                    return ApiResults.Conflict(ex.Message);
                }
            })
            .WithSummary("Creates a demo tenant on the Sandbox with a complete setup, ready to plan and apply (MSP operators). 409 when all 100 demo slugs are taken.")
            .Produces<TenantView>(StatusCodes.Status201Created)
            .WithTags("Sandbox");
        return api;
    }

    /// <summary>GET /api/tenants/{tenantId}/audit, and its CSV download for the tenant page.</summary>
    internal static Task<IResult> AuditAsync(HttpContext http, CheckedTenant tenant, AuditLog audit, TenantService tenants, long? before, int? take, CancellationToken ct) =>
        Csv.OrJsonAsync(http,
            async () => Results.Ok(await audit.ListAsync(tenant, before, take ?? 50, ct)),
            async () => new CsvRows<AuditRecord>(await Csv.TenantFileNameAsync(tenants, tenant, "audit", ct), audit.ExportAsync(tenant, ct)));
}
