using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation;

public enum ObservedState
{
    /// <summary>The resource exists; its fields say whether it matches.</summary>
    Present,

    /// <summary>The resource does not exist.</summary>
    Missing,

    /// <summary>AWS is still working on it (creating, claiming, starting): apply waits rather than acting again.</summary>
    InProgress,

    /// <summary>Something outside the resource stops it from being planned; <see cref="Observation.Reason"/> says what.</summary>
    Blocked,
}

/// <summary>What a resource found in AWS, with each field as the spec wants it and as AWS has it.</summary>
public sealed record Observation(ObservedState State, IReadOnlyList<FieldChange> Fields, string? Reason = null)
{
    public static Observation Present(params FieldChange[] fields) => new(ObservedState.Present, fields);

    /// <summary>Missing, listing what will be created (the fields' actual values are null).</summary>
    public static Observation Missing(params FieldChange[] desired) =>
        new(ObservedState.Missing, desired.Select(f => f with { Actual = null }).ToList());

    public static Observation InProgress(string reason) => new(ObservedState.InProgress, [], reason);

    public static Observation Blocked(string reason) => new(ObservedState.Blocked, [], reason);

    /// <summary>The fields whose expected value differs from AWS's.</summary>
    public IReadOnlyList<FieldChange> Differences => Fields.Where(f => !string.Equals(f.Expected, f.Actual, StringComparison.Ordinal)).ToList();

    public bool InSync => State == ObservedState.Present && Differences.Count == 0;
}

/// <summary>
/// One managed thing in a tenant's account: it knows its dependencies, how to observe itself (read-only calls), and how to
/// apply one change idempotently. Apply is always preceded by a fresh observation, so a resumed apply never acts twice.
/// </summary>
public abstract class Resource(string key, string title, SpecSection section, params string[] dependsOn)
{
    public string Key { get; } = key;

    public string Title { get; } = title;

    public SpecSection Section { get; } = section;

    public IReadOnlyList<string> DependsOn { get; } = dependsOn;

    /// <summary>The resource as it reads within a sentence ("Created the AppStream fleet."), where <see cref="Title"/> is a label.</summary>
    public virtual string Noun => $"the {Title}";

    /// <summary>True when only the AWS console can make it right: the plan shows instructions instead of a change.</summary>
    public virtual bool IsManual => false;

    /// <summary>
    /// What the setup still lacks for this resource (a value only a console step gives), or null. Asked before anything
    /// else but the setup's own validity: a resource that cannot be made is Blocked, even while what it depends on is
    /// being created.
    /// </summary>
    public virtual string? MissingFromSetup(ReconcileContext ctx) => null;

    public abstract Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct);

    /// <summary>Makes AWS match the spec, given what was just observed. Slow operations are left to the engine to wait for.</summary>
    public virtual Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct) =>
        throw new NotSupportedException($"{Title} cannot be changed through the AWS API.");

    /// <summary>The steps an operator follows in the console, with the values to paste; for manual resources.</summary>
    public virtual IReadOnlyList<InstructionStep> Instructions(ReconcileContext ctx) => [];

    public override string ToString() => Key;
}
