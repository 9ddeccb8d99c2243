using System.Security.Cryptography;
using System.Text;
using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.Reconciliation.Resources;

/// <summary>The Connect instance: an existing one is verified (it must use SAML); in Create mode it is created by alias.</summary>
internal sealed class ConnectInstanceResource() : Resource(ResourceKeys.ConnectInstance, "Amazon Connect instance", SpecSection.Instance, ResourceKeys.Account)
{
    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var connect = ctx.Spec.Connect;
        var alias = connect.InstanceAlias!;
        ConnectInstance? instance;
        if (connect.InstanceMode == ConnectInstanceMode.UseExisting)
        {
            instance = await ctx.Aws.Connect.DescribeInstanceAsync(connect.InstanceId!, ct);
            if (instance is null)
            {
                return Observation.Blocked($"There is no Connect instance {connect.InstanceId} in {ctx.Tenant.Region}. Pick an existing instance in the setup, or let the portal create one.");
            }
        }
        else
        {
            instance = (await ctx.Aws.Connect.ListInstancesAsync(ct))
                .FirstOrDefault(i => string.Equals(i.Alias, alias, StringComparison.OrdinalIgnoreCase));
            if (instance is null)
            {
                return Observation.Missing(Fields(alias, null));
            }

            ctx.Learn(s => s.Connect.InstanceId = instance.Id);
        }

        if (instance.Status == ConnectInstance.CreationInProgress)
        {
            return Observation.InProgress($"AWS is still creating instance {instance.Alias}");
        }

        if (!instance.UsesSaml)
        {
            return Observation.Blocked($"Instance {instance.Alias} signs agents in with {instance.IdentityManagementType}; the split CCP needs an instance that uses SAML. Pick another instance, or let the portal create one.");
        }

        if (instance.Status == ConnectInstance.CreationFailed)
        {
            return Observation.Blocked($"AWS failed to create instance {instance.Alias}. Delete it in the Amazon Connect console, then apply again.");
        }

        return Observation.Present(Fields(alias, instance));
    }

    public override Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct) =>
        ctx.Aws.Connect.CreateInstanceAsync(ctx.Spec.Connect.InstanceAlias!, ct);

    private static FieldChange[] Fields(string alias, ConnectInstance? actual) =>
    [
        new("alias", alias.ToLowerInvariant(), actual?.Alias.ToLowerInvariant()),
        new("identityManagementType", "SAML", actual?.IdentityManagementType),
        new("status", ConnectInstance.Active, actual?.Status),
    ];
}

/// <summary>An agent's Connect user: the username is the agent's e-mail, which the SAML RoleSessionName carries.</summary>
internal sealed class ConnectUserResource(AgentUserSpec agent)
    : Resource(ResourceKeys.ConnectUser(agent.Email!), $"Connect user {agent.Email}", SpecSection.Instance, ResourceKeys.ConnectInstance)
{
    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var instanceId = ctx.Spec.Connect.InstanceId!;
        var user = await FindAsync(ctx, instanceId, ct) is { } found ? await ctx.Aws.Connect.DescribeUserAsync(instanceId, found.Id, ct) : null;
        FieldChange[] Fields(ConnectUser? actual) =>
        [
            new("firstName", agent.FirstName, actual?.FirstName),
            new("lastName", agent.LastName, actual?.LastName),
        ];
        return user is null ? Observation.Missing(Fields(null)) : Observation.Present(Fields(user));
    }

    public override async Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var connect = ctx.Aws.Connect;
        var instanceId = ctx.Spec.Connect.InstanceId!;
        if (observed.State == ObservedState.Present && await FindAsync(ctx, instanceId, ct) is { } existing)
        {
            await connect.UpdateUserIdentityInfoAsync(instanceId, existing.Id, agent.FirstName!, agent.LastName!, ct);
            return;
        }

        var routing = (await connect.ListRoutingProfilesAsync(instanceId, ct)).FirstOrDefault(p => p.Name == agent.RoutingProfile)
            ?? throw Refused(ctx, $"Instance {ctx.Spec.Connect.InstanceAlias} has no routing profile named \"{agent.RoutingProfile}\". Create it in the Connect console or change the agent's routing profile in the setup.");
        var security = (await connect.ListSecurityProfilesAsync(instanceId, ct)).FirstOrDefault(p => p.Name == agent.SecurityProfile)
            ?? throw Refused(ctx, $"Instance {ctx.Spec.Connect.InstanceAlias} has no security profile named \"{agent.SecurityProfile}\". Create it in the Connect console or change the agent's security profile in the setup.");
        ctx.Forget(UsersKey(instanceId));
        await connect.CreateUserAsync(instanceId, agent.Email!, agent.FirstName!, agent.LastName!, routing.Id, [security.Id], ct);
    }

    /// <summary>The instance's users are listed once per pass, not once per agent: Connect allows two ListUsers calls a second.</summary>
    private async Task<ConnectUserSummary?> FindAsync(ReconcileContext ctx, string instanceId, CancellationToken ct) =>
        (await ctx.CachedAsync(UsersKey(instanceId), () => ctx.Aws.Connect.ListUsersAsync(instanceId, ct)))
            .FirstOrDefault(u => string.Equals(u.Username, agent.Email, StringComparison.OrdinalIgnoreCase));

    private static string UsersKey(string instanceId) => $"connect/users/{instanceId}";

    private AwsCallException Refused(ReconcileContext ctx, string message) =>
        new(new AwsFailure(AwsFailureKind.InvalidInput, AwsServices.Connect, "CreateUser", Title, message));
}

/// <summary>
/// A phone number of the spec's country and type claimed for the instance. Claiming is asynchronous, and its outcome is only
/// in DescribePhoneNumber: ListPhoneNumbersV2 lists a number from the moment it is claimed, with no status.
/// </summary>
internal sealed class PhoneNumberResource(PhoneNumberSpec number)
    : Resource(ResourceKeys.ConnectPhoneNumber, $"Phone number ({number.CountryCode} {TypeOf(number)})", SpecSection.Instance, ResourceKeys.ConnectInstance)
{
    public override string Noun => $"the {KindOf(number)} number in {Countries.InSentence(number.CountryCode)}";

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var connect = ctx.Aws.Connect;
        var candidates = (await connect.ListPhoneNumbersAsync(ctx.Values.ConnectInstanceArn!, ct))
            .Where(n => n.CountryCode == number.CountryCode && n.Type == TypeOf(number));

        // Connect allows DescribePhoneNumber twice a second: only numbers of the spec's country and type are described, and
        // none after the first that is claimed.
        ConnectPhoneNumber? inProgress = null, failed = null;
        foreach (var candidate in candidates)
        {
            switch (await connect.DescribePhoneNumberAsync(candidate.Id, ct))
            {
                case null:
                    // Released since it was listed.
                    break;
                case { Status: ConnectPhoneNumber.Claimed } claimed:
                    return Observation.Present(Fields(claimed));
                case { Status: ConnectPhoneNumber.Failed } failedClaim:
                    failed ??= failedClaim;
                    break;
                case var other:
                    // IN_PROGRESS, or a status AWS may add: wait rather than claim a second number beside it.
                    inProgress ??= other;
                    break;
            }
        }

        return (inProgress, failed) switch
        {
            ({ } claiming, _) => Observation.InProgress($"AWS is still claiming {claiming.Number}"),
            (null, { } failedClaim) => Observation.Blocked(FailedClaim(failedClaim)),
            _ => Observation.Missing(Fields(null)),
        };
    }

    public override async Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct)
    {
        var arn = ctx.Values.ConnectInstanceArn!;
        var available = await ctx.Aws.Connect.SearchAvailablePhoneNumbersAsync(arn, number.CountryCode!, TypeOf(number), 1, ct);
        if (available.Count == 0)
        {
            throw new AwsCallException(new AwsFailure(AwsFailureKind.InvalidInput, AwsServices.Connect, "SearchAvailablePhoneNumbers", Title,
                $"AWS has no {KindOf(number)} numbers available in {Countries.InSentence(number.CountryCode)} right now. Try another country or type, or request numbers from AWS Support."));
        }

        // The client token is derived from the tenant, so a claim retried after a crash is the same claim to AWS.
        var token = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ctx.Tenant.Id}/{Key}/{available[0]}")))[..32];
        await ctx.Aws.Connect.ClaimPhoneNumberAsync(arn, available[0], token, ct);
    }

    /// <summary>
    /// A failed claim blocks the resource rather than leading to another claim: whatever failed it (often the instance's limit
    /// of numbers) would fail the next claim too, and every claim and release counts against the account's allowance of them.
    /// </summary>
    private static string FailedClaim(ConnectPhoneNumber failed)
    {
        var reason = failed.StatusMessage?.Trim() is { Length: > 0 } said ? said.EndsWith('.') ? said : said + "." : "AWS gave no reason.";
        return $"AWS failed to claim {failed.Number} for the instance: {reason} " +
        "Fix the cause first (when the instance has reached its limit of phone numbers, raise it in the Service Quotas console for Amazon Connect), " +
        $"then release {failed.Number} in the Amazon Connect console (Channels, Phone numbers) and apply again: the portal then claims a new number. " +
        "It does not claim another by itself, because the same cause would fail that claim too and every claim and release counts against the account's allowance of claims.";
    }

    private FieldChange[] Fields(ConnectPhoneNumber? actual) =>
    [
        new("countryCode", number.CountryCode, actual?.CountryCode),
        new("type", TypeOf(number), actual?.Type),
        new("status", ConnectPhoneNumber.Claimed, actual?.Status),
    ];

    /// <summary>The number type as Connect names it.</summary>
    internal static string TypeOf(PhoneNumberSpec number) => number.Type == PhoneNumberType.TollFree ? "TOLL_FREE" : "DID";

    private static string KindOf(PhoneNumberSpec number) => number.Type == PhoneNumberType.TollFree ? "toll-free" : "direct-dial";
}

/// <summary>The pages' origin approved on the instance, so Connect lets them embed the CCP.</summary>
internal sealed class ApprovedOriginResource(string hostingDependency)
    : Resource(ResourceKeys.ConnectApprovedOrigin, "Approved origin of the CCP pages", SpecSection.Hosting, ResourceKeys.ConnectInstance, hostingDependency)
{
    public override string Noun => "the approved origin of the CCP pages";

    public override async Task<Observation> ObserveAsync(ReconcileContext ctx, CancellationToken ct)
    {
        var origin = ctx.Values.HostingOrigin;
        if (origin is null)
        {
            return Observation.Blocked("The pages' address is not known yet: set the CloudFront domain in the setup, or let the portal create the distribution.");
        }

        var instanceId = ctx.Spec.Connect.InstanceId!;
        var origins = await ctx.Aws.Connect.ListApprovedOriginsAsync(instanceId, ct);
        var found = origins.FirstOrDefault(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));
        var field = new FieldChange("origin", origin, found);
        return found is null ? Observation.Missing(field) : Observation.Present(field);
    }

    public override Task ApplyAsync(ReconcileContext ctx, Observation observed, CancellationToken ct) =>
        ctx.Aws.Connect.AssociateApprovedOriginAsync(ctx.Spec.Connect.InstanceId!, ctx.Values.HostingOrigin!, ct);
}
