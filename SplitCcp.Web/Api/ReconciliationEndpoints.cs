using System.Security.Claims;
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
            .WithSummary("Compares the tenant's spec with its AWS account (read-only calls) and lists every resource in dependency order as InSync, Create, Update (with expected and actual fields), Manual (with instructions) or Blocked (with what on).")
            .Produces<Plan>()
            .WithTags("Plan and apply");

        tenants.MapPost($"{route}/apply", async (CheckedTenant tenant, ReconciliationService service, CancellationToken ct) =>
                await service.StartApplyAsync(tenant, ct) switch
                {
                    ApplyStartResult.Started { Apply: var apply } => Results.Accepted($"/api/tenants/{tenant.Id}/applies/{apply.Id}", apply),
                    ApplyStartResult.AlreadyRunning { ApplyId: var running } => TypedResults.Problem(statusCode: 409, title: "An apply is already running",
                        detail: "This tenant has an apply in progress; wait for it to finish, then apply again.",
                        extensions: new Dictionary<string, object?> { ["activeApplyId"] = running, ["activeApply"] = $"/api/tenants/{tenant.Id}/applies/{running}" }),
                    ApplyStartResult.NotReady { Reason: var reason } => ApiResults.Conflict(reason),
                    ApplyStartResult.Forbidden => ApiResults.Forbidden("Applying needs the TenantAdmin role or higher."),
                    _ => ApiResults.NotFound("tenant"),
                })
            .WithSummary("Starts applying the tenant's plan in the background: 202 with the apply and its Location. 409 while another apply of the tenant runs.")
            .Produces<ApplyView>(StatusCodes.Status202Accepted)
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

        tenants.MapGet($"{route}/audit", async (CheckedTenant tenant, AuditLog audit, long? before, int? take, CancellationToken ct) =>
                Results.Ok(await audit.ListAsync(tenant, before, take ?? 50, ct)))
            .WithSummary("The tenant's history, newest first: spec changes, plans, applies and each step's result, with who and when. Page with 'before' (an entry id) and 'take' (at most 200).")
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
}
