using Microsoft.Extensions.Options;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Ccp;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation;

/// <summary>
/// Compares a tenant's spec with its AWS account, resource by resource in dependency order. Planning makes read-only calls
/// only; <see cref="ApplyEngine"/> uses the same per-resource planning right before it changes anything.
/// </summary>
public sealed class Reconciler(IAwsAccountFactory accounts, CcpPageGenerator pages, ConnectStreamsAsset streams, TimeProvider time, IOptions<ReconciliationOptions> options)
{
    /// <summary>Called with each plan made; for tests that count them.</summary>
    internal Action<Plan>? OnPlanned { get; set; }

    public async Task<Plan> PlanAsync(TenantView tenant, TenantSpec spec, CancellationToken ct) =>
        (await PlanWithContextAsync(tenant, spec, ct)).Plan;

    /// <summary>The plan and the context it was made in, whose effective spec and account the drift checks go on with.</summary>
    internal async Task<(Plan Plan, ReconcileContext Context)> PlanWithContextAsync(TenantView tenant, TenantSpec spec, CancellationToken ct) =>
        await PlanWithContextAsync(tenant, spec, await accounts.OpenAsync(tenant, ct), ct);

    /// <summary>The plan made over an account the caller opened, and its context.</summary>
    internal async Task<(Plan Plan, ReconcileContext Context)> PlanWithContextAsync(TenantView tenant, TenantSpec spec, IAwsAccount aws, CancellationToken ct)
    {
        var run = Start(tenant, spec, aws);
        var items = new List<PlanItem>();
        foreach (var resource in run.Resources)
        {
            items.Add((await run.PlanAsync(resource, ct)).Item);
        }

        var plan = new Plan(tenant.Id, time.GetUtcNow(), items);
        OnPlanned?.Invoke(plan);
        return (plan, run.Context);
    }

    internal async Task<PlanRun> StartAsync(TenantView tenant, TenantSpec spec, CancellationToken ct) =>
        Start(tenant, spec, await accounts.OpenAsync(tenant, ct));

    /// <summary>A pass over the tenant's resources in an account already opened: an apply opens it once for all its passes.</summary>
    internal PlanRun Start(TenantView tenant, TenantSpec spec, IAwsAccount aws)
    {
        var context = new ReconcileContext(tenant, spec, aws, pages, streams, time, options.Value);
        return new PlanRun(context, ResourceCatalog.For(spec), TenantSpecRules.Validate(spec, SpecTarget.Of(tenant)));
    }
}

/// <summary>One pass over a tenant's resources: remembers each resource's outcome so its dependents can be planned.</summary>
internal sealed class PlanRun(ReconcileContext context, IReadOnlyList<Resource> resources, IReadOnlyDictionary<string, string[]> errors)
{
    private readonly Dictionary<string, PlanItem> _items = new(StringComparer.Ordinal);

    public ReconcileContext Context { get; } = context;

    public IReadOnlyList<Resource> Resources { get; } = resources;

    public PlanItem? ItemFor(string key) => _items.GetValueOrDefault(key);

    /// <summary>The resources found in sync, or brought in sync, so far in this pass.</summary>
    public IEnumerable<string> InSyncKeys => _items.Values.Where(i => i.Action == PlanAction.InSync).Select(i => i.Key);

    /// <summary>Sets a resource's outcome once apply has brought it in sync or failed it, so its dependents are planned on that.</summary>
    public void Record(Resource resource, PlanAction action, string? reason = null) =>
        _items[resource.Key] = Item(resource, action, reason: reason);

    /// <summary>Plans one resource against what AWS has now, given the outcomes of its dependencies so far.</summary>
    /// <param name="throwOnFailure">True to let an AWS failure through, for an apply step to report it as failed; a plan shows it as Blocked.</param>
    public async Task<(PlanItem Item, Observation? Observation)> PlanAsync(Resource resource, CancellationToken ct, bool throwOnFailure = false)
    {
        var (item, observation) = await PlanCoreAsync(resource, throwOnFailure, ct);
        _items[resource.Key] = item;
        return (item, observation);
    }

    private async Task<(PlanItem, Observation?)> PlanCoreAsync(Resource resource, bool throwOnFailure, CancellationToken ct)
    {
        var sectionError = errors.FirstOrDefault(e => TenantSpecRules.SectionOf(e.Key) == resource.Section);
        if (sectionError.Key is not null)
        {
            return (Item(resource, PlanAction.Blocked, reason: $"The setup's {SectionTitle(resource.Section)} step is incomplete: {sectionError.Value[0]}"), null);
        }

        var dependencies = resource.DependsOn.Select(ItemFor).OfType<PlanItem>().ToList();
        if (dependencies.FirstOrDefault(d => d.Action is PlanAction.Blocked or PlanAction.Manual) is { } waiting)
        {
            return (Item(resource, PlanAction.Blocked, reason: $"Waits for: {waiting.Title}."), null);
        }

        if (resource.MissingFromSetup(Context) is { } missing)
        {
            return (Item(resource, PlanAction.Blocked, reason: missing), null);
        }

        if (dependencies.FirstOrDefault(d => d.Action == PlanAction.Create) is { } created)
        {
            return (Item(resource, resource.IsManual ? PlanAction.Manual : PlanAction.Create,
                reason: $"After {NounOf(created)} is created.", instructions: resource.IsManual ? resource.Instructions(Context) : []), null);
        }

        Observation observation;
        try
        {
            observation = await resource.ObserveAsync(Context, ct);
        }
        catch (AwsCallException ex) when (!throwOnFailure)
        {
            return (Item(resource, PlanAction.Blocked, reason: ex.Failure.Message) with { Unreadable = true }, null);
        }

        var item = observation.State switch
        {
            ObservedState.Blocked => Item(resource, PlanAction.Blocked, reason: observation.Reason),
            _ when resource.IsManual && !observation.InSync =>
                Item(resource, PlanAction.Manual, Changes(observation), observation.Reason, resource.Instructions(Context)),
            ObservedState.InProgress => Item(resource, PlanAction.Create, reason: $"In progress: {observation.Reason}."),
            ObservedState.Missing => Item(resource, PlanAction.Create, observation.Fields),
            _ when observation.InSync => Item(resource, PlanAction.InSync),
            _ => Item(resource, PlanAction.Update, observation.Differences),
        };
        return (item with { Observed = true }, observation);
    }

    private string NounOf(PlanItem item) => Resources.FirstOrDefault(r => r.Key == item.Key)?.Noun ?? item.Title;

    private static IReadOnlyList<FieldChange> Changes(Observation observation) =>
        observation.State == ObservedState.Present ? observation.Differences : observation.Fields;

    private static PlanItem Item(
        Resource resource, PlanAction action, IReadOnlyList<FieldChange>? changes = null, string? reason = null,
        IReadOnlyList<InstructionStep>? instructions = null) =>
        new(resource.Key, resource.Title, resource.Section, action, resource.DependsOn, changes ?? [], reason, instructions ?? []);

    private static string SectionTitle(SpecSection section) => section switch
    {
        SpecSection.Instance => "Connect instance",
        SpecSection.IdentityCenter => "Identity Center",
        SpecSection.Iam => "IAM",
        SpecSection.Hosting => "Hosting",
        SpecSection.CcpPages => "CCP pages",
        _ => "AppStream",
    };
}
