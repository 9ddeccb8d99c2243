using SplitCcp.Core.Persistence;

namespace SplitCcp.Core.Reconciliation;

public enum ApplyState
{
    /// <summary>Accepted, waiting for the background runner.</summary>
    Pending,
    Running,
    Succeeded,

    /// <summary>A step failed; the steps before it stay applied.</summary>
    Failed,
}

/// <summary>
/// One apply of a tenant's plan: the plan its caller confirmed, stored as its steps when the apply is accepted. At most one
/// is Pending or Running per tenant (a unique filtered index enforces it).
/// </summary>
public sealed class ApplyRun
{
    public Guid Id { get; set; }

    public Guid TenantId { get; set; }

    public ApplyState State { get; set; }

    public string RequestedBy { get; set; } = "";

    /// <summary>The setup version the operator confirmed (or the one the apply made when it recorded what AWS assigned); the apply refuses to run another.</summary>
    public int SpecVersion { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>Why the apply failed, in the operator's words; while it waits to be retried (<see cref="RetryAt"/>), why and when. Clipped to the column.</summary>
    public string? Error { get; set => field = value.Clip(); }

    /// <summary>How many times the whole apply was retried after its steps failed on errors AWS asks to retry later (throttling).</summary>
    public int Retries { get; set; }

    /// <summary>When the apply is retried as a whole; null unless it is waiting to be.</summary>
    public DateTime? RetryAt { get; set; }

    /// <summary>
    /// The portal process running this apply, null until one claims it. Only the
    /// owner runs it; another process may take it over only once <see cref="LeaseUntil"/> has passed.
    /// </summary>
    public string? ClaimedBy { get; set; }

    /// <summary>Until when the claim holds; the owner renews it while the apply runs, so a lapsed lease means its process is gone.</summary>
    public DateTime? LeaseUntil { get; set; }

    /// <summary>How many times a runner has picked this apply up; above one means it resumed after a restart.</summary>
    public int Attempts { get; set; }

    public List<ApplyStep> Steps { get; set; } = [];
}

public enum ApplyStepState
{
    Pending,
    Running,

    /// <summary>Waiting on AWS: an instance being created, a number being claimed, a fleet starting.</summary>
    InProgress,
    Succeeded,
    Failed,

    /// <summary>Not applied: already in sync when reached, manual, or blocked.</summary>
    Skipped,
}

/// <summary>One resource's change within an apply, in plan order.</summary>
public sealed class ApplyStep
{
    public long Id { get; set; }

    public Guid ApplyId { get; set; }

    public int Ordinal { get; set; }

    public string ResourceKey { get; set; } = "";

    public string Title { get; set; } = "";

    /// <summary>The planned change: Create or Update.</summary>
    public string Action { get; set; } = "";

    public ApplyStepState State { get; set; }

    /// <summary>What the step did or why it did not, clipped to the column.</summary>
    public string? Message { get; set => field = value.Clip(); }

    public DateTime? StartedAt { get; set; }

    public DateTime? FinishedAt { get; set; }

    /// <summary>
    /// The steps of an apply of <paramref name="plan"/>, one per resource not in sync, in plan order: a change to make is
    /// Pending; a manual or blocked resource is Skipped with why, and one AWS would not let the portal read is Failed.
    /// </summary>
    internal static List<ApplyStep> For(Guid applyId, Plan plan) =>
        plan.Items.Where(i => i.Action != PlanAction.InSync).Select((item, ordinal) =>
        {
            var changes = item.Action is PlanAction.Create or PlanAction.Update;
            return new ApplyStep
            {
                ApplyId = applyId,
                Ordinal = ordinal,
                ResourceKey = item.Key,
                Title = item.Title,
                Action = changes ? item.Action.ToString() : "",
                State = changes ? ApplyStepState.Pending : item.Unreadable ? ApplyStepState.Failed : ApplyStepState.Skipped,
                Message = changes ? null : item.Unreadable ? $"Could not be read: {item.Reason}" : $"{item.Action}: {item.Reason ?? "follow the plan's instructions."}",
            };
        }).ToList();
}

/// <summary>
/// The apply journal: a row written before a step runs and another after it ends, in its own transaction each, so a process
/// that dies mid-step leaves a Started row with no end, and the next start resumes from there by re-observing that resource.
/// </summary>
public sealed class ApplyJournalEntry
{
    public long Id { get; set; }

    public Guid ApplyId { get; set; }

    public Guid TenantId { get; set; }

    public string ResourceKey { get; set; } = "";

    public JournalPhase Phase { get; set; }

    /// <summary>The step's message as it was at this phase, clipped to the column.</summary>
    public string? Detail { get; set => field = value.Clip(); }

    public DateTime At { get; set; }
}

public enum JournalPhase
{
    Started,
    Progress,
    Succeeded,
    Failed,
    Skipped,
}
