using System.Security.Claims;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Api;

/// <summary>A tenant's drift settings as the API reads and writes them.</summary>
internal sealed record DriftSettingsInput(bool AutoRemediate);

/// <summary>The dashboard summary: counts per status, one page of tenants (worst first) and what the worker is doing.</summary>
internal sealed record HealthSummary(
    HealthCounts Counts, IReadOnlyList<TenantHealthRow> Tenants, int TotalCount, int Page, int PageSize, DriftPassInfo? LastPass, DriftPassInfo? CurrentPass);

internal static class HealthEndpoints
{
    public static RouteGroupBuilder MapTenantHealthEndpoints(this RouteGroupBuilder tenants)
    {
        var route = $"/{{{TenantRouteGuard.RouteParameter}:guid}}";

        tenants.MapGet($"{route}/health", async (CheckedTenant tenant, DriftService drift, CancellationToken ct) =>
                await drift.GetHealthAsync(tenant, ct) is { } report ? Results.Ok(report) : ApiResults.NotFound("tenant"))
            .WithSummary("The tenant's latest drift report: status Healthy, Drifted (something that was in line no longer is), Pending (the setup is not finished; 'message' says what is left, such as '2 console steps left'), Failing or Unknown (never checked, or the setup is a draft), when it was checked, and every resource and synthetic check as InSync, Drifted (with expected and actual), Missing, Pending (never in line yet), Error (with the reason) or NotChecked.")
            .Produces<TenantHealthReport>()
            .WithTags("Health");

        tenants.MapPost($"{route}/check", async (CheckedTenant tenant, DriftService drift, CancellationToken ct) =>
                await drift.CheckNowAsync(tenant, ct) switch
                {
                    CheckResult.Checked { Report: var report } => Results.Ok(report),
                    CheckResult.Forbidden => CheckForbidden(),
                    _ => ApiResults.NotFound("tenant"),
                })
            .WithSummary("Checks the tenant for drift now (read-only AWS calls, nothing applied) and returns the new report. A check already under way is joined, not repeated.")
            .Produces<TenantHealthReport>()
            .WithTags("Health");

        tenants.MapGet($"{route}/health/history", HistoryAsync)
            .WithSummary("The tenant's drift history, newest first: one entry per stretch of identical results, from the first check that found it to the last that confirmed it (20 by default, at most 100). As CSV (?format=csv or Accept: text/csv), the whole history kept, without the resources.")
            .Produces<IReadOnlyList<DriftHistoryEntry>>()
            .WithTags("Health");

        tenants.MapPut($"{route}/drift-settings", async (CheckedTenant tenant, DriftService drift, DriftSettingsInput input, CancellationToken ct) =>
                await drift.SetAutoRemediateAsync(tenant, input.AutoRemediate, ct) switch
                {
                    TenantAccessResult.Allowed => Results.Ok(input),
                    TenantAccessResult.Forbidden => ApiResults.Forbidden("Changing drift settings needs the TenantAdmin role or higher."),
                    _ => ApiResults.NotFound("tenant"),
                })
            .WithSummary("Turns auto-remediation on or off: when on, a check that finds drift applies the setup to fix it, recorded in the audit.")
            .Produces<DriftSettingsInput>()
            .WithTags("Health");

        return tenants;
    }

    public static RouteGroupBuilder MapHealthEndpoints(this RouteGroupBuilder api)
    {
        var health = api.MapGroup("/health").WithTags("Health");

        health.MapGet("/tenants", TenantsAsync)
            .WithSummary("Every tenant in your scope: counts per status, then one page of tenants worst first (Failing, Drifted, Pending, Unknown, Healthy), filtered by 'status' and 'search' (name or slug); 100 per page by default, at most 200. As CSV (?format=csv or Accept: text/csv), every tenant the filters match, one row each.")
            .Produces<HealthSummary>();

        health.MapPost("/check-all", async (
                ClaimsPrincipal user, DriftService drift, DriftWorker worker, ITenantAccess access, IHostApplicationLifetime lifetime, bool? wait, CancellationToken ct) =>
            {
                // The caller's scope, read once: it decides who may check, what is checked and what the answer shows.
                var scope = await access.GetScopeAsync(user, ct);
                if (!DriftService.CanCheck(scope))
                {
                    return CheckForbidden();
                }

                if (wait == true)
                {
                    return Results.Ok(await drift.CheckAllAsync(scope, ct));
                }

                // The checks outlive the request; they stop only with the application.
                _ = drift.CheckAllAsync(scope, lifetime.ApplicationStopping);
                return Results.Accepted("/api/health/tenants", new { started = true, currentPass = scope.AllTenants ? worker.CurrentPass : null, summary = "/api/health/tenants" });
            })
            .WithSummary("Checks every tenant in your scope now. Answers 202 at once (poll /api/health/tenants), or with ?wait=true 200 when all are checked. For an MSP operator this is a full pass of the drift worker, joining one already under way.");

        return api;
    }

    /// <summary>GET /api/health/tenants, and its CSV download for the dashboard.</summary>
    internal static Task<IResult> TenantsAsync(
        HttpContext http, ClaimsPrincipal user, DriftService drift, DriftWorker worker, ITenantAccess access, TenantHealthStatus? status, string? search, int? page, int? pageSize,
        CancellationToken ct) => Csv.OrJsonAsync(http,
            async () =>
            {
                var result = await drift.ListAsync(await access.GetScopeAsync(user, ct), new TenantHealthQuery(status, search, page ?? 1, pageSize ?? 100), ct);

                // A pass covers every tenant in the portal, so its counts and timing are shown only to those who see them all.
                return Results.Ok(new HealthSummary(result.Counts, result.Items, result.TotalCount, result.Page, result.PageSize,
                    result.AllTenants ? worker.LastPass : null, result.AllTenants ? worker.CurrentPass : null));
            },
            async () => new CsvRows<TenantHealthRow>("tenant-health", await drift.ExportAsync(await access.GetScopeAsync(user, ct), new TenantHealthQuery(status, search), ct)));

    /// <summary>GET /api/tenants/{tenantId}/health/history, and its CSV download for the tenant page.</summary>
    internal static Task<IResult> HistoryAsync(HttpContext http, CheckedTenant tenant, DriftService drift, TenantService tenants, int? take, CancellationToken ct) =>
        Csv.OrJsonAsync(http,
            async () => Results.Ok(await drift.GetHistoryAsync(tenant, take ?? 20, ct)),
            async () => new CsvRows<DriftHistoryEntry>(await Csv.TenantFileNameAsync(tenants, tenant, "drift-history", ct), await drift.ExportHistoryAsync(tenant, ct)));

    private static IResult CheckForbidden() => ApiResults.Forbidden("Checking now needs the TenantAdmin role or higher: a check makes AWS calls.");
}
