using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Persistence;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.GoLive;

/// <summary>
/// A tenant's go-live for people: the checklist generated from its setup, results recorded with who and when, test sessions
/// in its AppStream stack, and its agents' readiness. Every call takes what <see cref="ITenantAccess"/> allowed at the request's
/// edge: a Viewer reads, a TenantAdmin or MSP operator records and starts sessions.
/// </summary>
public sealed partial class GoLiveService(
    IDbContextFactory<SplitCcpDbContext> dbFactory,
    TenantSpecService specs,
    GoLiveLedger ledger,
    IAwsAccountFactory accounts,
    AuditLog audit,
    DriftNotifier notifier,
    TimeProvider time)
{
    /// <summary>How long a test session's streaming URL may be opened: long enough to open it, short enough to be worthless later.</summary>
    public static readonly TimeSpan TestSessionValidity = TimeSpan.FromMinutes(5);

    /// <summary>The checklist, its progress and the agents; null when the tenant was deleted.</summary>
    public async Task<GoLiveReport?> GetAsync(AuthorizedTenant caller, CancellationToken ct = default)
    {
        if (await specs.GetAsync(caller, ct) is not var (tenant, record))
        {
            return null;
        }

        var tenantId = caller.TenantId;

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var findings = await GoLiveLedger.FindingsAsync(db, tenantId, ct);
        var results = await GoLiveLedger.ResultsAsync(db, tenantId, ct);
        var state = await db.TenantGoLive.AsNoTracking().SingleOrDefaultAsync(g => g.TenantId == tenantId, ct);
        var spec = record.Spec;
        var checks = GoLiveChecklist.Build(tenant, spec, findings, GoLiveLedger.Latest(results));

        var liveSince = state?.LiveSince;
        var failing = checks.Where(c => c.Kind == GoLiveCheckKind.Automatic && c.State == GoLiveCheckState.Failed).Select(c => $"\"{c.Title}\"").ToList();
        var urgent = liveSince is not null && failing.Count > 0
            ? $"This tenant is live and agents are affected: at the last drift check, {string.Join(", ", failing)} no longer passed. Fix it first; the drift check says what is wrong."
            : null;

        var firstAgent = spec.Connect.Agents.Select(a => a.Email).FirstOrDefault(e => e is not null && TestUserError(e) is null);
        return new GoLiveReport(tenantId, record is { Exists: true, IsDraft: false }, liveSince is not null, liveSince,
            checks.Count(c => c.State == GoLiveCheckState.Passed), checks.Count, urgent, findings.CheckedAt, checks,
            new GoLiveTestSession(spec.AppStream.StackName, spec.AppStream.Fleet.Name, firstAgent),
            AgentRows(spec, state, results), state?.AgentsCheckedAt);
    }

    /// <summary>When each of <paramref name="tenantIds"/> went live, for those that are live and in the caller's scope: the tenant list's column.</summary>
    public async Task<IReadOnlyDictionary<Guid, DateTime>> LiveSinceAsync(TenantScope scope, IEnumerable<Guid> tenantIds, CancellationToken ct = default)
    {
        var ids = tenantIds.Where(scope.Contains).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.TenantGoLive.AsNoTracking().Where(g => ids.Contains(g.TenantId) && g.LiveSince != null)
            .ToDictionaryAsync(g => g.TenantId, g => g.LiveSince!.Value, ct);
    }

    /// <summary>Records a check done with an agent: passed, or failed with a note. The tenant goes live when it was the last check left.</summary>
    public async Task<GoLiveRecordResult> RecordAsync(AuthorizedTenant caller, string key, GoLiveResultInput input, CancellationToken ct = default)
    {
        if (!caller.CanWrite)
        {
            return new GoLiveRecordResult.Forbidden();
        }

        var tenantId = caller.TenantId;
        if (!GoLiveChecks.All.Contains(key, StringComparer.Ordinal))
        {
            return new GoLiveRecordResult.NotFound();
        }

        if (GoLiveChecks.IsAutomatic(key))
        {
            return new GoLiveRecordResult.Automatic(
                $"\"{GoLiveChecklist.TitleOf(key)}\" is ticked by the portal itself at every drift check; check the tenant now to see it again.");
        }

        if (Validate(input) is { Count: > 0 } errors)
        {
            return new GoLiveRecordResult.Invalid(errors);
        }

        var actor = caller.Actor;
        var result = new GoLiveResult
        {
            TenantId = tenantId,
            CheckKey = key,
            Passed = string.Equals(input.Result!.Trim(), nameof(GoLiveCheckState.Passed), StringComparison.OrdinalIgnoreCase),
            Note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim(),
            Agent = string.IsNullOrWhiteSpace(input.Agent) ? null : input.Agent.Trim(),
            RecordedBy = actor,
            RecordedAt = time.GetUtcNow().UtcDateTime,
        };
        var exists = await TenantGoLiveTable.UpdateAsync(dbFactory, tenantId, async (db, row) =>
        {
            db.GoLiveResults.Add(result);
            db.Audit.Add(audit.Entry(tenantId, actor, AuditActions.GoLiveResult, Summary(result)));
            var findings = await GoLiveLedger.FindingsAsync(db, tenantId, ct);
            var latest = await GoLiveLedger.LatestAsync(db, tenantId, ct);
            latest[key] = result;
            await ledger.SettleAsync(db, row, findings.Resources, latest, actor, result, ct);
            return true;
        }, ct);
        if (!exists)
        {
            return new GoLiveRecordResult.NotFound();
        }

        // Open dashboards and tenant pages show the new state (Live since…) without a reload.
        notifier.Notify(tenantId);
        return await GetAsync(caller, ct) is { } report ? new GoLiveRecordResult.Recorded(report) : new GoLiveRecordResult.NotFound();
    }

    /// <summary>
    /// A streaming URL (AppStream's CreateStreamingURL) for a test user of the tenant's stack and fleet, valid for
    /// <see cref="TestSessionValidity"/>. The URL is returned once: it is neither stored nor logged, and the audit says only who asked for whom.
    /// </summary>
    public async Task<TestSessionResult> StartTestSessionAsync(AuthorizedTenant caller, string? userId, CancellationToken ct = default)
    {
        if (!caller.CanWrite)
        {
            return new TestSessionResult.Forbidden();
        }

        userId = userId?.Trim() ?? "";
        if (TestUserError(userId) is { } error)
        {
            return new TestSessionResult.Invalid(new Dictionary<string, string[]> { ["userId"] = [error] });
        }

        if (await specs.GetAsync(caller, ct) is not var (tenant, record))
        {
            return new TestSessionResult.NotFound();
        }

        var appStream = record.Spec.AppStream;
        if (record is not { Exists: true, IsDraft: false } || appStream.StackName is not { } stack || appStream.Fleet.Name is not { } fleet)
        {
            return new TestSessionResult.NotReady("The setup is not finished: finish the setup wizard and apply it, so the stack and the fleet exist.");
        }

        AppStreamStreamingUrl streaming;
        try
        {
            var account = await accounts.OpenAsync(tenant, ct);
            streaming = await account.AppStream.CreateStreamingUrlAsync(stack, fleet, userId, TestSessionValidity, ct);
        }
        catch (AwsCallException ex)
        {
            return new TestSessionResult.NotReady(ex.Failure.Message);
        }

        var expires = streaming.ExpiresAt?.UtcDateTime ?? time.GetUtcNow().UtcDateTime + TestSessionValidity;
        await audit.RecordAsync(caller.TenantId, caller.Actor, AuditActions.TestSession,
            $"Started a test session in stack {stack} (fleet {fleet}) for the test user {userId}; its streaming URL was shown once, valid until {expires:HH:mm} UTC.", ct: ct);
        return new TestSessionResult.Started(new TestSession(userId, stack, fleet, streaming.Url, expires));
    }

    /// <summary>
    /// Reads each agent's Connect user and Identity Center assignment from the tenant's account now, and keeps the result for the
    /// readiness table. Write access, as it costs AWS calls; null outside the caller's scope, the reason when the account cannot be opened.
    /// </summary>
    public async Task<AgentsCheckResult> CheckAgentsAsync(AuthorizedTenant caller, CancellationToken ct = default)
    {
        if (!caller.CanWrite)
        {
            return new AgentsCheckResult.Forbidden();
        }

        if (await specs.GetAsync(caller, ct) is not var (tenant, record))
        {
            return new AgentsCheckResult.NotFound();
        }

        IReadOnlyList<AgentReadiness> agents;
        try
        {
            agents = await AgentReadinessCheck.RunAsync(tenant, record.Spec, await accounts.OpenAsync(tenant, ct), ct);
        }
        catch (AwsCallException ex)
        {
            return new AgentsCheckResult.NotReady(ex.Failure.Message);
        }

        var ready = agents.Count(a => a.ConnectUser.State == AgentCheckState.Ready && a.IdentityCenter.State == AgentCheckState.Ready);
        var tenantId = caller.TenantId;
        var exists = await TenantGoLiveTable.UpdateAsync(dbFactory, tenantId, (db, row) =>
        {
            row.AgentsJson = GoLiveLedger.WriteAgents(agents);
            row.AgentsCheckedAt = time.GetUtcNow().UtcDateTime;
            db.Audit.Add(audit.Entry(tenantId, caller.Actor, AuditActions.AgentsChecked,
                $"Checked the agents in Connect and Identity Center: {ready} of {agents.Count} ready to sign in and take calls."));
            return Task.FromResult(true);
        }, ct);
        return exists && await GetAsync(caller, ct) is { } report ? new AgentsCheckResult.Checked(report) : new AgentsCheckResult.NotFound();
    }

    /// <summary>Why AppStream would refuse this test user name (2 to 32 letters, digits and _ + = , . @ -), or null.</summary>
    public static string? TestUserError(string? userId) =>
        string.IsNullOrWhiteSpace(userId) ? "Name the test user the session is for, such as the agent's e-mail."
        : !TestUserPattern().IsMatch(userId) ? "AppStream takes a test user name of 2 to 32 characters: letters, digits and _ + = , . @ -. Use a shorter name if the agent's e-mail is longer."
        : null;

    private static Dictionary<string, string[]> Validate(GoLiveResultInput input)
    {
        var errors = new Dictionary<string, string[]>();
        var result = input.Result?.Trim();
        var passed = string.Equals(result, nameof(GoLiveCheckState.Passed), StringComparison.OrdinalIgnoreCase);
        var failed = string.Equals(result, nameof(GoLiveCheckState.Failed), StringComparison.OrdinalIgnoreCase);
        if (!passed && !failed)
        {
            errors["result"] = ["Send Passed or Failed."];
        }

        if (failed && string.IsNullOrWhiteSpace(input.Note))
        {
            errors["note"] = ["Say what happened instead: a failed check needs a note."];
        }
        else if (input.Note?.Trim().Length > GoLiveChecks.MaxNoteLength)
        {
            errors["note"] = [$"At most {GoLiveChecks.MaxNoteLength} characters."];
        }

        if (input.Agent?.Trim().Length > 256)
        {
            errors["agent"] = ["At most 256 characters."];
        }

        return errors;
    }

    private static string Summary(GoLiveResult result)
    {
        var with = result.Agent is null ? "" : $" with {result.Agent}";
        var title = GoLiveChecklist.TitleOf(result.CheckKey);
        return result.Passed
            ? $"Go-live check \"{title}\" passed{with}.{(result.Note is null ? "" : $" Note: {result.Note}")}"
            : $"Go-live check \"{title}\" failed{with}: {result.Note}";
    }

    /// <summary>One row per agent of the setup: the last agents check's findings (Unknown before one), and their last test.</summary>
    private static List<AgentReadiness> AgentRows(TenantSpec spec, TenantGoLive? state, IReadOnlyList<GoLiveResult> results)
    {
        var found = (state is null ? [] : GoLiveLedger.ReadAgents(state.AgentsJson))
            .ToDictionary(a => a.Email, StringComparer.OrdinalIgnoreCase);
        var notChecked = new AgentCheck(AgentCheckState.Unknown, "Not checked yet.");
        return [.. spec.Connect.Agents.Where(a => !string.IsNullOrWhiteSpace(a.Email)).DistinctBy(a => a.Email!.ToLowerInvariant()).Select(agent =>
        {
            var email = agent.Email!;
            var row = found.GetValueOrDefault(email) ?? new AgentReadiness(email, "", notChecked, notChecked);
            return row with { Email = email, Name = $"{agent.FirstName} {agent.LastName}".Trim(), LastTest = LastTest(email, results) };
        })];
    }

    private static AgentTest? LastTest(string email, IReadOnlyList<GoLiveResult> results)
    {
        var theirs = GoLiveLedger.Latest(results.Where(r => string.Equals(r.Agent, email, StringComparison.OrdinalIgnoreCase)));
        return theirs.Count == 0 ? null : new AgentTest(
            theirs.Values.Count(r => r.Passed),
            theirs.Values.Count(r => !r.Passed),
            [.. theirs.Values.Where(r => !r.Passed).Select(r => GoLiveChecklist.TitleOf(r.CheckKey))],
            theirs.Values.Max(r => r.RecordedAt));
    }

    // AppStream's StreamingUrlUserId: 2 to 32 characters of [\w+=,.@-], \w as Java reads it (ASCII only).
    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@-]{2,32}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TestUserPattern();
}
