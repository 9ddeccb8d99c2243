using SplitCcp.Core.GoLive;
using SplitCcp.Web.Security;

namespace SplitCcp.Web.Api;

/// <summary>Who a test session is for: an AppStream user name of 2 to 32 characters, such as the agent's e-mail.</summary>
internal sealed record TestSessionInput(string? UserId);

internal static class GoLiveEndpoints
{
    public static RouteGroupBuilder MapGoLiveEndpoints(this RouteGroupBuilder tenants)
    {
        var route = $"/{{{TenantRouteGuard.RouteParameter}:guid}}";

        tenants.MapGet($"{route}/go-live", async (CheckedTenant tenant, GoLiveService goLive, CancellationToken ct) =>
                await goLive.GetAsync(tenant, ct) is { } report ? Results.Ok(report) : ApiResults.NotFound("tenant"))
            .WithSummary("The tenant's go-live checklist, generated from its setup: each check with what to do, what should happen and what to look at if it does not, "
                + "and its latest result (Passed, Failed with a note, or NotDone) with who and when. Automatic checks (the pages agents load, the approved origin, "
                + "the SAML provider, the Identity Center assignments, the fleet) are ticked from the latest drift check; the others are recorded with PUT. "
                + "'isLive' and 'liveSince' once every check has passed; 'urgent' when a live tenant no longer passes an automatic check. 'agents' is each agent's readiness.")
            .Produces<GoLiveReport>()
            .WithTags("Go-live");

        tenants.MapPut($"{route}/go-live/checks/{{key}}", async (CheckedTenant tenant, GoLiveService goLive, string key, GoLiveResultInput input, CancellationToken ct) =>
                await goLive.RecordAsync(tenant, key, input, ct) switch
                {
                    GoLiveRecordResult.Recorded { Report: var report } => Results.Ok(report),
                    GoLiveRecordResult.Invalid { Errors: var errors } => ApiResults.ValidationFailed(errors),
                    GoLiveRecordResult.Automatic { Reason: var reason } => ApiResults.Conflict(reason),
                    GoLiveRecordResult.Forbidden => ApiResults.Forbidden("Recording go-live results needs the TenantAdmin role or higher."),
                    _ => ApiResults.NotFound("go-live check"),
                })
            .WithSummary("Records the result of a check done with an agent: {\"result\": \"Passed\" | \"Failed\", \"note\": \"…\" (required for Failed), \"agent\": \"the agent's e-mail\"}. "
                + "Answers the checklist as it now is: the tenant goes live when this was the last check left, and stops being live when a check fails. "
                + "409 for an automatic check, which the portal ticks itself.")
            .Produces<GoLiveReport>()
            .ProducesValidationProblem()
            .WithTags("Go-live");

        tenants.MapPost($"{route}/test-session", async (HttpContext http, CheckedTenant tenant, GoLiveService goLive, TestSessionInput input, CancellationToken ct) =>
            {
                switch (await goLive.StartTestSessionAsync(tenant, input.UserId, ct))
                {
                    case TestSessionResult.Started { Session: var session }:
                        // The streaming URL lets whoever holds it into the session until it expires: no cache or proxy keeps a copy.
                        http.Response.Headers.CacheControl = "no-store";
                        return Results.Ok(session);
                    case TestSessionResult.Invalid { Errors: var errors }:
                        return ApiResults.ValidationFailed(errors);
                    case TestSessionResult.NotReady { Reason: var reason }:
                        return ApiResults.Conflict(reason);
                    case TestSessionResult.Forbidden:
                        return ApiResults.Forbidden("Starting a test session needs the TenantAdmin role or higher.");
                    default:
                        return ApiResults.NotFound("tenant");
                }
            })
            .WithSummary($"Starts an AppStream test session in the tenant's stack and fleet for a test user ({{\"userId\": \"…\"}}, 2 to 32 characters): "
                + $"a streaming URL (CreateStreamingURL), valid for {GoLiveService.TestSessionValidity.TotalMinutes} minutes, with its expiry. It is answered once and never stored; "
                + "open it in a new tab. 409 with AWS's reason when the fleet cannot stream (not running, no capacity).")
            .Produces<TestSession>()
            .ProducesValidationProblem()
            .WithTags("Go-live");

        tenants.MapPost($"{route}/go-live/agents", async (CheckedTenant tenant, GoLiveService goLive, CancellationToken ct) =>
                await goLive.CheckAgentsAsync(tenant, ct) switch
                {
                    AgentsCheckResult.Checked { Report: var report } => Results.Ok(report),
                    AgentsCheckResult.NotReady { Reason: var reason } =>
                        TypedResults.Problem(statusCode: 502, title: "The tenant's AWS account could not be opened", detail: reason),
                    AgentsCheckResult.Forbidden => ApiResults.Forbidden("Checking the agents needs the TenantAdmin role or higher: it makes AWS calls."),
                    _ => ApiResults.NotFound("tenant"),
                })
            .WithSummary("Checks every agent of the setup now (read-only AWS calls): their Connect user with the routing and security profiles the setup names, "
                + "and their Identity Center user assigned to the application directly or through a group. Answers the checklist with 'agents' and 'agentsCheckedAt'; readers see the last check with GET.")
            .Produces<GoLiveReport>()
            .WithTags("Go-live");

        return tenants;
    }
}
