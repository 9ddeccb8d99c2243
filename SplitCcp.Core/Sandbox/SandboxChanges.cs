using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Sandbox;

public enum SandboxChangeKind
{
    /// <summary>Delete the resource's object, as someone might in the AWS console.</summary>
    Delete,

    /// <summary>Set one field of the resource's object to another value.</summary>
    Alter,

    /// <summary>
    /// Do a manual resource's console step as its instructions say: create the Identity Center SAML application (and paste
    /// its values into the setup), or capture the AppStream image.
    /// </summary>
    Complete,
}

/// <summary>A simulated console change: <c>POST /api/tenants/{id}/sandbox/tamper</c>.</summary>
public sealed record SandboxChangeRequest(string? Resource, SandboxChangeKind Change, string? Field = null, string? Value = null);

public abstract record SandboxChangeResult
{
    private SandboxChangeResult()
    {
    }

    public sealed record Done(string Summary) : SandboxChangeResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : SandboxChangeResult;

    /// <summary>The tenant uses a real AWS account: the portal never simulates changes there.</summary>
    public sealed record NotSandbox : SandboxChangeResult;

    public sealed record Forbidden : SandboxChangeResult;

    public sealed record NotFound : SandboxChangeResult;
}

/// <summary>
/// What the console can do to one resource of a Sandbox tenant's plan: its object (null when there is none yet, or it is not
/// one object), the fields of it the console may alter, and the console step it can do for the resource now.
/// </summary>
public sealed record SandboxTarget(string? ObjectId, IReadOnlyList<string> Fields, string? ConsoleStep);

/// <summary>
/// "Simulate a console change" on a Sandbox tenant: names a resource by its plan key and deletes its object, alters one of
/// its fields, or does a manual step, so drift and the manual flow can be shown without AWS.
/// </summary>
public sealed class SandboxChanges(
    TenantSpecService specs, Reconciler reconciler, SandboxAccounts accounts, SandboxStore store, SandboxConsole console, AuditLog audit)
{
    /// <summary>Every manual resource, with the console step the Sandbox does for it.</summary>
    private static readonly Dictionary<string, string> s_consoleSteps = new(StringComparer.Ordinal)
    {
        [ResourceKeys.IdentityCenterApplication] = "create the SAML application",
        [ResourceKeys.Image] = "capture the image",
    };

    /// <summary>True when the Sandbox can do the resource's console step.</summary>
    public static bool HasConsoleStep(string resourceKey) => s_consoleSteps.ContainsKey(resourceKey);

    /// <summary>
    /// What the console can do to each resource of the tenant's plan, by resource key; empty for a tenant that is not a
    /// Sandbox tenant or that the user may not change.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, SandboxTarget>> TargetsAsync(AuthorizedTenant caller, CancellationToken ct = default)
    {
        if (!caller.CanWrite || await specs.GetAsync(caller, ct) is not var (tenant, record) || tenant.AccessMode != AwsAccessMode.Sandbox)
        {
            return new Dictionary<string, SandboxTarget>();
        }

        return (await PlanAsync(tenant, record.Spec, ct)).Targets;
    }

    public async Task<SandboxChangeResult> ApplyAsync(AuthorizedTenant caller, SandboxChangeRequest request, CancellationToken ct = default)
    {
        if (!caller.CanWrite)
        {
            return new SandboxChangeResult.Forbidden();
        }

        var tenantId = caller.TenantId;
        if (await specs.GetAsync(caller, ct) is not var (tenant, record))
        {
            return new SandboxChangeResult.NotFound();
        }

        if (tenant.AccessMode != AwsAccessMode.Sandbox)
        {
            return new SandboxChangeResult.NotSandbox();
        }

        var (plan, targets) = await PlanAsync(tenant, record.Spec, ct);
        if (plan.Items.FirstOrDefault(i => i.Key == request.Resource) is not { } item)
        {
            return Invalid("resource", $"The plan has no resource \"{request.Resource}\". Use a key from the plan, such as {ResourceKeys.BucketPolicy}.");
        }

        var target = targets[item.Key];
        var kind = SandboxResourceObjects.KindOf(item.Key);
        var objectId = target.ObjectId;
        string summary;
        switch (request.Change)
        {
            case SandboxChangeKind.Complete when !HasConsoleStep(item.Key):
                var withSteps = plan.Items.Where(i => HasConsoleStep(i.Key)).Select(i => $"{i.Title} ({i.Key})");
                return Invalid("change", $"{item.Title} has no console step. The Sandbox can do the console step of: {string.Join(", ", withSteps)}.");
            case SandboxChangeKind.Complete when item.Key == ResourceKeys.IdentityCenterApplication:
                switch (await CreateApplicationAsync(caller.Actor, tenant, record, item, target, ct))
                {
                    case SandboxChangeResult.Done done:
                        summary = done.Summary;
                        break;
                    case var refused:
                        return refused;
                }

                break;
            case SandboxChangeKind.Complete when item.Action != PlanAction.Manual:
                return NoStepNow(item);
            case SandboxChangeKind.Complete:
                try
                {
                    await console.CaptureImageAsync(tenantId, record.Spec.AppStream.ImageBuilder.Name!, record.Spec.AppStream.ImageName!, ct);
                }
                catch (InvalidOperationException ex)
                {
                    return Invalid("change", $"{ex.Message} Apply first: the image is captured in the image builder.");
                }

                summary = $"Simulated a console step: captured image {record.Spec.AppStream.ImageName} in the image builder.";
                break;
            case var _ when kind is null:
                return Invalid("resource", $"{item.Title} is not one object the console could change.");
            case var _ when objectId is null:
                return Invalid("resource", $"{item.Title} does not exist in the Sandbox account yet: apply first.");
            case SandboxChangeKind.Delete:
                await console.DeleteAsync(tenantId, kind, objectId, ct);
                summary = $"Simulated a console change: deleted {item.Title} ({objectId}).";
                break;
            default:
                if (string.IsNullOrWhiteSpace(request.Field) || !target.Fields.Contains(request.Field))
                {
                    return Invalid("field", $"Choose one of the fields of {item.Title}: {string.Join(", ", target.Fields)}.");
                }

                try
                {
                    await console.AlterAsync(tenantId, kind, objectId, request.Field, request.Value ?? "", ct);
                }
                catch (ArgumentException ex)
                {
                    return Invalid("value", ex.Message);
                }

                summary = $"Simulated a console change: set {request.Field} of {item.Title} to \"{Shorten(request.Value)}\".";
                break;
        }

        await audit.RecordAsync(tenantId, caller.Actor, AuditActions.SandboxChanged, summary, ct: ct);
        return new SandboxChangeResult.Done(summary);
    }

    /// <summary>
    /// The tenant's plan as the console reads the account (no rate limits or injected faults), and what the console can do
    /// to each resource: only an object the plan observed and did not block on is offered, as the plan shows it.
    /// </summary>
    private async Task<(Plan Plan, IReadOnlyDictionary<string, SandboxTarget> Targets)> PlanAsync(TenantView tenant, TenantSpec spec, CancellationToken ct)
    {
        var (plan, context) = await reconciler.PlanWithContextAsync(tenant, spec, accounts.OpenForConsole(tenant), ct);
        var objects = await store.RunAsync(tenant.Id, null, null, async session =>
        {
            var found = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var item in plan.Items)
            {
                found[item.Key] = item is { Observed: true, Action: not PlanAction.Blocked } ? await SandboxResourceObjects.FindAsync(context, item.Key, session) : null;
            }

            return found;
        }, ct);
        return (plan, plan.Items.ToDictionary(i => i.Key, i => new SandboxTarget(objects[i.Key], FieldsOf(i.Key),
            i.Action == PlanAction.Manual && objects[i.Key] is null ? s_consoleSteps.GetValueOrDefault(i.Key) : null), StringComparer.Ordinal));
    }

    /// <summary>The fields the resource's object lets the console alter.</summary>
    private static List<string> FieldsOf(string key) =>
        SandboxResourceObjects.KindOf(key) is { } kind && SandboxFields.ByKind.TryGetValue(kind, out var fields) ? fields.Keys.Order(StringComparer.Ordinal).ToList() : [];

    /// <summary>
    /// What the instructions tell the operator to do in IAM Identity Center: a SAML 2.0 application in the setup's instance
    /// with the name, relay state, ACS URL, audience and attribute mappings they give, enabled; then its ARN, metadata URL
    /// and start URL copied into the setup, as a new version. Values the setup held for an application that does not
    /// exist cannot be this one's: they are replaced, and the summary says which.
    /// </summary>
    private async Task<SandboxChangeResult> CreateApplicationAsync(
        string actor, TenantView tenant, TenantSpecRecord record, PlanItem item, SandboxTarget target, CancellationToken ct)
    {
        var idc = record.Spec.IdentityCenter;
        if (target.ObjectId is not null)
        {
            var differs = item.Action == PlanAction.Manual
                ? $" What differs ({string.Join(", ", item.Changes.Select(c => $"{c.Field} is {c.Actual ?? "missing"}, expected {c.Expected}"))}) is fixed in the application itself, in the IAM Identity Center console."
                : "";
            return Invalid("change", $"The setup already names {item.Title} {idc.ApplicationArn}, and it exists: there is nothing to do.{differs}");
        }

        if (item.Action != PlanAction.Manual)
        {
            return NoStepNow(item);
        }

        var values = record.Values(tenant.Region);
        if (values.RelayState is null)
        {
            return Invalid("change", "The application's relay state names the Connect instance, which does not exist yet: apply first, then do this console step.");
        }

        var world = await console.GetWorldAsync(tenant.Id, ct);
        var instanceArn = string.IsNullOrWhiteSpace(idc.InstanceArn) ? world.IdentityCenterInstanceArn : idc.InstanceArn;

        // The metadata URL names Identity Center's region; an operator pasting it takes that region too, as the wizard offers.
        var region = string.IsNullOrWhiteSpace(idc.Region) && instanceArn == world.IdentityCenterInstanceArn && world.IdentityCenterRegion != tenant.Region
            ? world.IdentityCenterRegion : idc.Region;
        var name = IdentityCenterApplicationResource.NameFor(tenant);
        SandboxSamlApplication application;
        try
        {
            application = await console.CreateSamlApplicationAsync(tenant.Id, name, instanceArn,
                new SandboxSamlConfiguration(name, values.RelayState, values.AcsUrl, values.Audience, values.AttributeMappings), ct);
        }
        catch (InvalidOperationException ex)
        {
            return Invalid("change", ex.Message);
        }

        List<string> replaced = [];
        void Replacing(string what, string? typed, string now)
        {
            if (!string.IsNullOrWhiteSpace(typed) && typed != now)
            {
                replaced.Add($"{what} {typed}");
            }
        }

        Replacing("application ARN", idc.ApplicationArn, application.ApplicationArn);
        Replacing("metadata URL", idc.MetadataUrl, application.MetadataUrl);
        Replacing("start URL", idc.StartUrl, application.StartUrl);
        if (!string.IsNullOrWhiteSpace(idc.MetadataXml))
        {
            // The provider is made from uploaded XML before a URL: another application's XML would keep it wrong.
            replaced.Add("the uploaded metadata XML (the SAML provider now uses the metadata URL)");
        }

        var made = $"created SAML application \"{name}\" in Identity Center instance {instanceArn} with the relay state, ACS URL, audience and attribute mappings of the plan's instructions, and enabled it";
        var replacedText = replaced.Count == 0 ? "" : $" It replaced what the setup held for an application that does not exist: {string.Join("; ", replaced)}.";
        // A save of other parts of the setup meanwhile (an apply recording the distribution's domain) is pasted on top of;
        // only a change to the Identity Center values themselves wins, as an operator's edit.
        var pasted = false;
        var current = record;
        for (var attempt = 1; attempt <= 3 && current is { IsDraft: false } && SameApplicationValues(current.Spec.IdentityCenter, idc); attempt++)
        {
            pasted = await specs.RecordLearnedAsync(tenant.Id, current.Version, actor,
                $"Simulated a console step: pasted the Identity Center application's ARN, metadata URL and start URL into the setup.{replacedText}",
                spec =>
                {
                    spec.IdentityCenter.InstanceArn = instanceArn;
                    spec.IdentityCenter.Region = region;
                    spec.IdentityCenter.ApplicationArn = application.ApplicationArn;
                    spec.IdentityCenter.MetadataUrl = application.MetadataUrl;
                    spec.IdentityCenter.MetadataXml = null;
                    spec.IdentityCenter.StartUrl = application.StartUrl;
                }, ct);
            if (pasted)
            {
                break;
            }

            current = (await specs.LoadAsync(tenant.Id, ct))?.Record;
        }

        return new SandboxChangeResult.Done(pasted
            ? $"Simulated a console step: {made}, then pasted its ARN, metadata URL and start URL into the setup.{replacedText}"
            : $"Simulated a console step: {made}. The setup was changed meanwhile (its Identity Center step, or it was reopened as a draft), so nothing was pasted into it: copy ARN {application.ApplicationArn}, metadata URL {application.MetadataUrl} and start URL {application.StartUrl} into the setup's Identity Center step.");
    }

    private static bool SameApplicationValues(IdentityCenterSpec a, IdentityCenterSpec b) =>
        a.InstanceArn == b.InstanceArn && a.Region == b.Region && a.ApplicationArn == b.ApplicationArn && a.MetadataUrl == b.MetadataUrl
        && a.MetadataXml == b.MetadataXml && a.StartUrl == b.StartUrl;

    private static SandboxChangeResult.Invalid NoStepNow(PlanItem item) =>
        Invalid("change", $"{item.Title} has no console step to do now: it is {item.Action}{(item.Reason is null ? "" : $" ({item.Reason})")}.");

    private static SandboxChangeResult.Invalid Invalid(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });

    private static string Shorten(string? value) => value is { Length: > 80 } ? value[..77] + "…" : value ?? "";
}
