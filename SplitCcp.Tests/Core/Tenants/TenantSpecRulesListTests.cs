using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Tenants;

public sealed class TenantSpecRulesListTests
{
    private static readonly SpecTarget s_london = new("eu-west-2");

    [Fact]
    public void Validate_48000Agents_OneErrorAtTheListAndNoneForItsItems()
    {
        // The shape of the upload that pinned a CPU: every agent the same, so a per-item rule would also report each one.
        var spec = new TenantSpec
        {
            Connect = new ConnectSpec { Agents = [.. Enumerable.Range(0, 48_000).Select(_ => new AgentUserSpec { Email = "agent@example.com" })] },
        };

        var errors = TenantSpecRules.Validate(spec, s_london, SpecSection.Instance);

        errors["connect.agents"].ShouldBe(["List at most 500 agents: Amazon Connect's default quota is 500 users per instance."]);
        errors.Keys.ShouldNotContain(path => path.StartsWith("connect.agents[", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("identityCenter.assignedUsers", SpecSection.IdentityCenter)]
    [InlineData("identityCenter.assignedGroups", SpecSection.IdentityCenter)]
    [InlineData("appStream.imageBuilder.subnetIds", SpecSection.AppStream)]
    [InlineData("appStream.imageBuilder.securityGroupIds", SpecSection.AppStream)]
    [InlineData("connect.agents", SpecSection.Instance)]
    public void Validate_ListOneLongerThanItsCap_RefusedAtTheListPath(string path, SpecSection section)
    {
        var (atCap, cap) = SpecWithList(path, extra: 0);
        var (overCap, _) = SpecWithList(path, extra: 1);

        TenantSpecRules.Validate(atCap, s_london, section).Keys.ShouldNotContain(path);
        TenantSpecRules.Validate(overCap, s_london, section)[path].Single().ShouldStartWith($"List at most {cap} ");
    }

    [Fact]
    public void Validate_SameAgentTwiceInAnyCase_TheSecondIsReportedOnce()
    {
        var spec = new TenantSpec
        {
            Connect = new ConnectSpec
            {
                Agents =
                [
                    new AgentUserSpec { Email = "ada@example.com", FirstName = "Ada", LastName = "Agent" },
                    new AgentUserSpec { Email = "bob@example.com", FirstName = "Bob", LastName = "Agent" },
                    new AgentUserSpec { Email = "ADA@example.com", FirstName = "Ada", LastName = "Again" },
                ],
            },
        };

        var errors = TenantSpecRules.Validate(spec, s_london, SpecSection.Instance);

        errors["connect.agents[2].email"].ShouldBe(["This agent is listed twice."]);
        errors.Keys.ShouldNotContain("connect.agents[0].email");
        errors.Keys.ShouldNotContain("connect.agents[1].email");
    }

    private static (TenantSpec Spec, int Cap) SpecWithList(string path, int extra)
    {
        var spec = new TenantSpec();
        int cap;
        switch (path)
        {
            case "connect.agents":
                cap = TenantSpecRules.MaxAgents;
                spec.Connect.Agents = [.. Enumerable.Range(0, cap + extra).Select(i => new AgentUserSpec { Email = $"agent{i}@example.com", FirstName = "A", LastName = "B" })];
                break;
            case "identityCenter.assignedUsers":
                cap = TenantSpecRules.MaxAssignedUsers;
                spec.IdentityCenter.AssignedUsers = [.. Enumerable.Range(0, cap + extra).Select(i => $"user{i}")];
                break;
            case "identityCenter.assignedGroups":
                cap = TenantSpecRules.MaxAssignedGroups;
                spec.IdentityCenter.AssignedGroups = [.. Enumerable.Range(0, cap + extra).Select(i => $"group{i}")];
                break;
            case "appStream.imageBuilder.subnetIds":
                cap = TenantSpecRules.MaxSubnets;
                spec.AppStream.ImageBuilder.SubnetIds = [.. Enumerable.Range(0, cap + extra).Select(i => $"subnet-0123456789abcde{i:x2}")];
                break;
            default:
                cap = TenantSpecRules.MaxSecurityGroups;
                spec.AppStream.ImageBuilder.SecurityGroupIds = [.. Enumerable.Range(0, cap + extra).Select(i => $"sg-0123456789abcde{i:x2}")];
                break;
        }

        return (spec, cap);
    }
}
