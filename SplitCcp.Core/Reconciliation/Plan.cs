using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation;

/// <summary>What applying would do to one resource.</summary>
public enum PlanAction
{
    /// <summary>AWS already matches the spec.</summary>
    InSync,

    /// <summary>The resource does not exist and apply creates it.</summary>
    Create,

    /// <summary>The resource exists with fields that differ; apply changes them.</summary>
    Update,

    /// <summary>Only the AWS console can do this: follow the instructions; the plan verifies what the API can see.</summary>
    Manual,

    /// <summary>Cannot be planned until something else is done: see <see cref="PlanItem.Reason"/>.</summary>
    Blocked,
}

/// <summary>One field of a resource: what the spec wants and what AWS has (null when it is missing or not known yet).</summary>
public sealed record FieldChange(string Field, string? Expected, string? Actual);

/// <summary>One step of a manual instruction, with the exact value to paste when there is one.</summary>
public sealed record InstructionStep(string Text, string? Value = null);

/// <summary>
/// One resource in a plan, in dependency order. <see cref="Unreadable"/> marks a Blocked resource AWS would not let the portal
/// read; <see cref="Observed"/> says AWS was asked about it (false when its dependencies decided the outcome on their own).
/// </summary>
public sealed record PlanItem(
    string Key,
    string Title,
    SpecSection Section,
    PlanAction Action,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<FieldChange> Changes,
    string? Reason,
    IReadOnlyList<InstructionStep> Instructions,
    bool Unreadable = false,
    bool Observed = false);

/// <summary>A tenant's plan: every resource, in the order apply would visit them.</summary>
public sealed record Plan(Guid TenantId, DateTimeOffset CreatedAt, IReadOnlyList<PlanItem> Items)
{
    /// <summary>
    /// What the plan would do, as a SHA-256 in hex (<see cref="PlanFingerprint"/>): the same AWS state and setup give the
    /// same fingerprint. An apply names the fingerprint of the plan its caller confirmed, and is refused if the plan differs now.
    /// </summary>
    public string Fingerprint => PlanFingerprint.Of(this);

    public int Count(PlanAction action) => Items.Count(i => i.Action == action);

    /// <summary>True when applying would create or change something.</summary>
    public bool HasChanges => Items.Any(i => i.Action is PlanAction.Create or PlanAction.Update);

    /// <summary>True when every resource is in sync: nothing to apply, nothing manual, nothing blocked.</summary>
    public bool IsInSync => Items.All(i => i.Action == PlanAction.InSync);
}
