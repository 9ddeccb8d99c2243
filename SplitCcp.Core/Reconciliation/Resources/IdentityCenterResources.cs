using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation.Resources;

/// <summary>
/// The Identity Center SAML application: console-only to create and configure. The plan verifies what the API can see
/// (it exists, in the configured instance, enabled) and otherwise gives the steps with every value to paste.
/// </summary>
internal sealed class IdentityCenterApplicationResource()
    : Resource(ResourceKeys.IdentityCenterApplication, "Identity Center SAML application", SpecSection.IdentityCenter, ResourceKeys.Account)
{
    public override bool IsManual => true;

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var spec = ctx.Spec.IdentityCenter;
        if (string.IsNullOrEmpty(spec.ApplicationArn))
        {
            return Observation.Missing(Fields(spec, null));
        }

        var application = await ctx.IdentityCenter.DescribeApplicationAsync(spec.ApplicationArn, ct);
        return application is not null ? Observation.Present(Fields(spec, application))
            : Observation.Missing(Fields(spec, null)) with
            {
                // Identity Center answers only in its own region: a right ARN asked in the wrong region is not found either.
                Reason = $"Identity Center in {ctx.Values.IdentityCenterRegion} has no application {spec.ApplicationArn}. If Identity Center lives in another region, "
                    + "set that region in the setup's Identity Center step; otherwise create the application as below.",
            };
    }

    /// <summary>The display name the instructions suggest (any name works in AWS), as the setup wizard does.</summary>
    public static string NameFor(TenantView tenant) => $"SplitCcp {tenant.DisplayName}";

    public override IReadOnlyList<InstructionStep> Instructions(ReconcileContext ctx)
    {
        var values = ctx.Values;
        List<InstructionStep> steps =
        [
            new("In the IAM Identity Center console, open Applications, choose Add application, then \"I have an application I want to set up\" and SAML 2.0."),
            new("Name it (any name works):", NameFor(ctx.Tenant)),
            new("Under Application properties set the relay state:", values.RelayState ?? "(known once the Connect instance exists)"),
            new("Under Application metadata, choose to type the values manually. Application ACS URL:", values.AcsUrl),
            new("Application SAML audience:", values.Audience),
            new("Submit, then open Actions → Edit attribute mappings and add these mappings:"),
        ];
        steps.AddRange(values.AttributeMappings.Select(m => new InstructionStep($"{m.Attribute} (format {m.Format}):", m.Value)));
        steps.Add(new("Make sure the application's status is Enabled, then copy its ARN, its IAM Identity Center SAML metadata file URL and its start URL into the setup's Identity Center step."));
        return steps;
    }

    private static FieldChange[] Fields(IdentityCenterSpec spec, IdentityCenterApplication? actual) =>
    [
        new("applicationArn", spec.ApplicationArn ?? "(the application's ARN)", actual?.ApplicationArn),
        new("instanceArn", spec.InstanceArn, actual?.InstanceArn),
        new("status", "ENABLED", actual?.Status),
    ];
}

/// <summary>The configured Identity Center users and groups assigned to the application, so they can sign in to the CCP.</summary>
internal sealed class IdentityCenterAssignmentsResource()
    : Resource(ResourceKeys.IdentityCenterAssignments, "Identity Center application assignments", SpecSection.IdentityCenter, ResourceKeys.IdentityCenterApplication)
{
    public override string Noun => "the Identity Center application's assignments";

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var (wanted, missing, reason) = await ResolveAsync(ctx, ct);
        if (reason is not null)
        {
            return Observation.Blocked(reason);
        }

        var assigned = (await ctx.IdentityCenter.ListApplicationAssignmentsAsync(ctx.Spec.IdentityCenter.ApplicationArn!, ct))
            .Select(a => a.PrincipalId).ToHashSet(StringComparer.Ordinal);
        string List(IEnumerable<Principal> principals) => string.Join(", ", principals.Select(p => p.Label).Order(StringComparer.Ordinal));
        return Observation.Present(new FieldChange("assignments", List(wanted), List(wanted.Where(p => assigned.Contains(p.Id)))));
    }

    public override async Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var (wanted, _, reason) = await ResolveAsync(ctx, ct);
        if (reason is not null)
        {
            throw new AwsCallException(new AwsFailure(AwsFailureKind.NotFound, AwsServices.IdentityStore, "GetUserId", Title, reason));
        }

        var arn = ctx.Spec.IdentityCenter.ApplicationArn!;
        var assigned = (await ctx.IdentityCenter.ListApplicationAssignmentsAsync(arn, ct)).Select(a => a.PrincipalId).ToHashSet(StringComparer.Ordinal);
        foreach (var principal in wanted.Where(p => !assigned.Contains(p.Id)))
        {
            await ctx.IdentityCenter.CreateApplicationAssignmentAsync(arn, principal.Id, principal.Type, ct);
        }
    }

    private static async Task<(List<Principal> Wanted, List<string> Missing, string? Reason)> ResolveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var spec = ctx.Spec.IdentityCenter;
        var instance = (await ctx.IdentityCenter.ListInstancesAsync(ct)).FirstOrDefault(i => i.InstanceArn == spec.InstanceArn);
        if (instance is null)
        {
            return ([], [], $"This account has no Identity Center instance {spec.InstanceArn} in {ctx.Values.IdentityCenterRegion}. Check the instance ARN and the Identity Center region in the setup's Identity Center step.");
        }

        var wanted = new List<Principal>();
        var missing = new List<string>();
        foreach (var user in spec.AssignedUsers)
        {
            if (await ctx.IdentityCenter.FindUserIdAsync(instance.IdentityStoreId, user, ct) is { } id)
            {
                wanted.Add(new Principal(id, "USER", $"user {user}"));
            }
            else
            {
                missing.Add($"user \"{user}\"");
            }
        }

        foreach (var group in spec.AssignedGroups)
        {
            if (await ctx.IdentityCenter.FindGroupIdAsync(instance.IdentityStoreId, group, ct) is { } id)
            {
                wanted.Add(new Principal(id, "GROUP", $"group {group}"));
            }
            else
            {
                missing.Add($"group \"{group}\"");
            }
        }

        return missing.Count == 0 ? (wanted, missing, null)
            : (wanted, missing, $"Identity Center has no {string.Join(", ", missing)}. Create them in Identity Center or correct the names in the setup.");
    }

    private sealed record Principal(string Id, string Type, string Label);
}
