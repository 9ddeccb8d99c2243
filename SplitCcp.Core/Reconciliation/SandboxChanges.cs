using System.Security.Claims;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Sandbox;
using SplitCcp.Core.Security;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation;

public enum SandboxChangeKind
{
    /// <summary>Delete the resource's object, as someone might in the AWS console.</summary>
    Delete,

    /// <summary>Set one field of the resource's object to another value.</summary>
    Alter,

    /// <summary>Do a manual resource's console step (capture the AppStream image).</summary>
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
/// "Simulate a console change" on a Sandbox tenant: names a resource by its plan key and deletes its object, alters one of
/// its fields, or does a manual step, so drift and the manual flow can be shown without AWS.
/// </summary>
public sealed class SandboxChanges(ITenantAccess access, TenantSpecService specs, Reconciler reconciler, SandboxConsole console, AuditLog audit)
{
    /// <summary>The fields a resource's Sandbox object lets the console alter.</summary>
    public static IReadOnlyList<string> FieldsOf(PlanItem item) =>
        item.SandboxKind is { } kind && SandboxFields.ByKind.TryGetValue(kind, out var fields) ? fields.Keys.Order(StringComparer.Ordinal).ToList() : [];

    public async Task<SandboxChangeResult> ApplyAsync(ClaimsPrincipal user, Guid tenantId, SandboxChangeRequest request, CancellationToken ct = default)
    {
        switch (await access.CheckAsync(user, tenantId, TenantOperation.Write, ct))
        {
            case TenantAccessResult.NotFound:
                return new SandboxChangeResult.NotFound();
            case TenantAccessResult.Forbidden:
                return new SandboxChangeResult.Forbidden();
        }

        if (await specs.GetAsync(user, tenantId, ct) is not var (tenant, record))
        {
            return new SandboxChangeResult.NotFound();
        }

        if (tenant.AccessMode != AwsAccessMode.Sandbox)
        {
            return new SandboxChangeResult.NotSandbox();
        }

        var plan = await reconciler.PlanAsync(tenant, record.Spec, ct);
        if (plan.Items.FirstOrDefault(i => i.Key == request.Resource) is not { } item)
        {
            return Invalid("resource", $"The plan has no resource \"{request.Resource}\". Use a key from the plan, such as {ResourceKeys.BucketPolicy}.");
        }

        string summary;
        switch (request.Change)
        {
            case SandboxChangeKind.Complete when item.Key == ResourceKeys.Image && item.Action != PlanAction.Manual:
                return Invalid("change", $"{item.Title} has no console step to do now: it is {item.Action}{(item.Reason is null ? "" : $" ({item.Reason})")}.");
            case SandboxChangeKind.Complete when item.Key == ResourceKeys.Image:
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
            case SandboxChangeKind.Complete:
                return Invalid("change", $"Only the AppStream image ({ResourceKeys.Image}) has a console step the Sandbox can do for you.");
            case var _ when item.SandboxKind is null:
                return Invalid("resource", $"{item.Title} is not one object the console could change.");
            case var _ when item.SandboxId is null:
                return Invalid("resource", $"{item.Title} does not exist in the Sandbox account yet: apply first.");
            case SandboxChangeKind.Delete:
                await console.DeleteAsync(tenantId, item.SandboxKind, item.SandboxId, ct);
                summary = $"Simulated a console change: deleted {item.Title} ({item.SandboxId}).";
                break;
            default:
                if (string.IsNullOrWhiteSpace(request.Field) || !FieldsOf(item).Contains(request.Field))
                {
                    return Invalid("field", $"Choose one of the fields of {item.Title}: {string.Join(", ", FieldsOf(item))}.");
                }

                try
                {
                    await console.AlterAsync(tenantId, item.SandboxKind, item.SandboxId, request.Field, request.Value ?? "", ct);
                }
                catch (ArgumentException ex)
                {
                    return Invalid("value", ex.Message);
                }

                summary = $"Simulated a console change: set {request.Field} of {item.Title} to \"{Shorten(request.Value)}\".";
                break;
        }

        await audit.RecordAsync(tenantId, AuditLog.ActorOf(user), AuditActions.SandboxChanged, summary, ct: ct);
        return new SandboxChangeResult.Done(summary);
    }

    private static SandboxChangeResult.Invalid Invalid(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });

    private static string Shorten(string? value) => value is { Length: > 80 } ? value[..77] + "…" : value ?? "";
}
