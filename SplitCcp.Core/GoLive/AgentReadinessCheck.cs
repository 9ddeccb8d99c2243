using SplitCcp.Core.Aws;
using SplitCcp.Core.Aws.Gateways;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.GoLive;

/// <summary>
/// Whether each agent of the setup can sign in and take calls, read from the tenant's account: their Connect user with the
/// routing and security profiles the setup names, and their Identity Center user assigned to the application directly or
/// through a group. Read-only, and only when asked: per agent it costs a DescribeUser (Connect allows two a second) and two
/// Identity Store calls, too many for every drift check.
/// </summary>
internal static class AgentReadinessCheck
{
    public static async Task<IReadOnlyList<AgentReadiness>> RunAsync(TenantView tenant, TenantSpec spec, IAwsAccount account, CancellationToken ct)
    {
        var agents = spec.Connect.Agents.Where(a => !string.IsNullOrWhiteSpace(a.Email)).DistinctBy(a => a.Email!.ToLowerInvariant()).ToList();
        var values = SetupValues.For(tenant.Region, spec);
        var connect = await Guarded(agents, () => ConnectAsync(spec, agents, account.Connect, ct));
        var identityCenter = await Guarded(agents, () => IdentityCenterAsync(tenant, spec, agents, account.IdentityCenterIn(values.IdentityCenterRegion), ct));
        return [.. agents.Select(a => new AgentReadiness(a.Email!, $"{a.FirstName} {a.LastName}".Trim(), connect[a.Email!], identityCenter[a.Email!]))];
    }

    private static async Task<Dictionary<string, AgentCheck>> ConnectAsync(TenantSpec spec, List<AgentUserSpec> agents, IConnectGateway connect, CancellationToken ct)
    {
        if (spec.Connect.InstanceId is not { } instanceId)
        {
            return All(agents, AgentCheckState.Unknown, "The Connect instance does not exist yet: apply first.");
        }

        var users = (await connect.ListUsersAsync(instanceId, ct)).ToDictionary(u => u.Username, StringComparer.OrdinalIgnoreCase);
        var routing = (await connect.ListRoutingProfilesAsync(instanceId, ct)).ToDictionary(p => p.Id, p => p.Name, StringComparer.Ordinal);
        var security = (await connect.ListSecurityProfilesAsync(instanceId, ct)).ToDictionary(p => p.Id, p => p.Name, StringComparer.Ordinal);
        var found = new Dictionary<string, AgentCheck>(StringComparer.OrdinalIgnoreCase);
        foreach (var agent in agents)
        {
            var user = users.TryGetValue(agent.Email!, out var summary) ? await connect.DescribeUserAsync(instanceId, summary.Id, ct) : null;
            if (user is null)
            {
                found[agent.Email!] = new(AgentCheckState.NotReady, $"No Connect user {agent.Email}: apply creates it.");
                continue;
            }

            var routingName = user.RoutingProfileId is { } id ? routing.GetValueOrDefault(id, id) : "none";
            var securityNames = user.SecurityProfileIds.Select(s => security.GetValueOrDefault(s, s)).ToList();
            found[agent.Email!] = routingName != agent.RoutingProfile
                ? new(AgentCheckState.NotReady, $"Routing profile is {routingName}, the setup says {agent.RoutingProfile}: change it in the Connect console (Users), or the setup.")
                : !securityNames.Contains(agent.SecurityProfile, StringComparer.Ordinal)
                    ? new(AgentCheckState.NotReady, $"Security profiles are {string.Join(", ", securityNames)}, without {agent.SecurityProfile}: add it in the Connect console (Users).")
                    : new(AgentCheckState.Ready, $"Exists, with {agent.RoutingProfile} and {agent.SecurityProfile}.");
        }

        return found;
    }

    private static async Task<Dictionary<string, AgentCheck>> IdentityCenterAsync(
        TenantView tenant, TenantSpec spec, List<AgentUserSpec> agents, IIdentityCenterGateway identityCenter, CancellationToken ct)
    {
        var setup = spec.IdentityCenter;
        if (setup.ApplicationArn is not { } applicationArn)
        {
            return All(agents, AgentCheckState.Unknown, "The Identity Center application is not in the setup yet: do its console step first.");
        }

        if ((await identityCenter.ListInstancesAsync(ct)).FirstOrDefault(i => i.InstanceArn == setup.InstanceArn) is not { } instance)
        {
            return All(agents, AgentCheckState.Unknown, $"Identity Center has no instance {setup.InstanceArn} where the setup says it lives.");
        }

        var assignments = await identityCenter.ListApplicationAssignmentsAsync(applicationArn, ct);
        var assignedUsers = assignments.Where(a => a.PrincipalType == "USER").Select(a => a.PrincipalId).ToHashSet(StringComparer.Ordinal);
        var assignedGroups = assignments.Where(a => a.PrincipalType == "GROUP").Select(a => a.PrincipalId).ToList();
        var groupNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in setup.AssignedGroups)
        {
            if (await identityCenter.FindGroupIdAsync(instance.IdentityStoreId, name, ct) is { } id)
            {
                groupNames[id] = name;
            }
        }

        var application = $"\"{IdentityCenterApplicationResource.NameFor(tenant)}\"";
        var found = new Dictionary<string, AgentCheck>(StringComparer.OrdinalIgnoreCase);
        foreach (var agent in agents)
        {
            var userId = await identityCenter.FindUserIdAsync(instance.IdentityStoreId, agent.Email!, ct);
            var viaGroups = userId is null || assignedUsers.Contains(userId) || assignedGroups.Count == 0
                ? []
                : await identityCenter.GroupsOfMemberAsync(instance.IdentityStoreId, userId, assignedGroups, ct);
            found[agent.Email!] = userId is null
                ? new(AgentCheckState.NotReady, $"Identity Center has no user named {agent.Email}: the agent signs in as the user whose e-mail is their Connect username.")
                : assignedUsers.Contains(userId) ? new(AgentCheckState.Ready, "Assigned directly.")
                : viaGroups.Count > 0 ? new(AgentCheckState.Ready, $"Assigned through group {string.Join(", ", viaGroups.Select(g => groupNames.GetValueOrDefault(g, g)))}.")
                : new(AgentCheckState.NotReady, $"Not assigned to the application {application}, directly or through a group: add them or their group in the setup's Identity Center step, then apply.");
        }

        return found;
    }

    /// <summary>One side that AWS would not answer for leaves the other side's findings standing.</summary>
    private static async Task<Dictionary<string, AgentCheck>> Guarded(List<AgentUserSpec> agents, Func<Task<Dictionary<string, AgentCheck>>> check)
    {
        try
        {
            return await check();
        }
        catch (AwsCallException ex)
        {
            return All(agents, AgentCheckState.Unknown, ex.Failure.Message);
        }
    }

    private static Dictionary<string, AgentCheck> All(List<AgentUserSpec> agents, AgentCheckState state, string text) =>
        agents.ToDictionary(a => a.Email!, _ => new AgentCheck(state, text), StringComparer.OrdinalIgnoreCase);
}
