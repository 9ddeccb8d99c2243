namespace SplitCcp.Core.Reconciliation.Drift;

/// <summary>
/// A check's result in the tenant's terms. Drift is a resource that was in line with the setup and no longer is; one that
/// has never been in line (not created yet, a console step not done yet) is the setup still to finish, <em>Pending</em>,
/// however different from the setup AWS is. Which resources have been in line is remembered per tenant: those a check
/// found in sync and those an apply brought in sync.
/// </summary>
internal sealed record HealthVerdict(TenantHealthStatus Status, string? Message, IReadOnlyList<DriftResource> Resources, bool Fixable)
{
    /// <param name="plan">The plan the check made, with nothing applied.</param>
    /// <param name="found">Each plan item (<see cref="DriftChecker.ToResource"/>) and synthetic check, as found.</param>
    /// <param name="wasInLine">The keys of the tenant's resources that have been in line before.</param>
    /// <param name="live">The tenant is live: agents take calls on it, so its drift says so.</param>
    public static HealthVerdict Judge(Plan plan, IReadOnlyList<DriftResource> found, IReadOnlySet<string> wasInLine, bool live = false)
    {
        bool WasInLine(string key) => wasInLine.Contains(key) || (SyntheticChecks.ResourceOf(key) is { } resource && wasInLine.Contains(resource));

        var resources = found.Select(r => r.IsOutOfLine && !WasInLine(r.Key) ? r with { State = DriftState.Pending } : r).ToList();
        var byKey = resources.ToDictionary(r => r.Key, StringComparer.Ordinal);

        // A resource the plan cannot get to yet (the setup lacks a value it needs) is setup to finish too; a synthetic check
        // that was not run (an address the portal does not fetch) says nothing about the setup.
        var status = resources.Any(r => r.State == DriftState.Error) ? TenantHealthStatus.Failing
            : resources.Any(r => r.IsOutOfLine) ? TenantHealthStatus.Drifted
            : resources.Any(r => r.State == DriftState.Pending) || plan.Items.Any(i => byKey.GetValueOrDefault(i.Key)?.State == DriftState.NotChecked)
                ? TenantHealthStatus.Pending
            : TenantHealthStatus.Healthy;

        // Auto-remediation fixes drift an apply can fix; what was never in line is the operator's to apply, or to do in the console.
        var fixable = status == TenantHealthStatus.Drifted
            && plan.Items.Any(i => i.Action is PlanAction.Create or PlanAction.Update && byKey.GetValueOrDefault(i.Key)?.IsOutOfLine == true);
        var message = status switch
        {
            TenantHealthStatus.Pending => Left(plan, byKey),
            TenantHealthStatus.Drifted when live => LiveDrift,
            _ => null,
        };
        return new HealthVerdict(status, message, resources, fixable);
    }

    /// <summary>A live tenant's drift: the same finding, but agents are taking calls on it.</summary>
    public const string LiveDrift = "Live tenant: agents are taking calls on it, so what is out of line affects them. Fix it first.";

    /// <summary>What is left to finish the setup: "2 console steps left; 3 changes to apply".</summary>
    private static string Left(Plan plan, Dictionary<string, DriftResource> byKey)
    {
        var pending = plan.Items.Where(i => byKey.GetValueOrDefault(i.Key)?.State == DriftState.Pending).ToList();
        var consoleSteps = pending.Count(i => i.Action == PlanAction.Manual);
        var changes = pending.Count(i => i.Action is PlanAction.Create or PlanAction.Update);
        List<string> parts = [];
        if (consoleSteps > 0)
        {
            parts.Add($"{DisplayText.Count(consoleSteps, "console step")} left");
        }

        if (changes > 0)
        {
            parts.Add($"{DisplayText.Count(changes, "change")} to apply");
        }

        if (parts.Count > 0)
        {
            return string.Join("; ", parts);
        }

        var waiting = plan.Items.Select(i => byKey[i.Key]).Where(r => r.State is DriftState.Pending or DriftState.NotChecked).ToList();
        return $"{DisplayText.Count(waiting.Count, "resource")} not set up yet: {waiting[0].Title}: {waiting[0].Message ?? "see the plan"}";
    }
}
