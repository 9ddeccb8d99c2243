using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Tenants;

public sealed class TenantSpecRulesSectionTests
{
    [Fact]
    public void SectionOf_EveryPathValidateReports_IsTheSectionThatReportedIt()
    {
        // An empty spec with one bad entry in every list fails every rule there is.
        var spec = new TenantSpec
        {
            Connect = new ConnectSpec { Agents = [new AgentUserSpec { RoutingProfile = null, SecurityProfile = null }], PhoneNumber = new PhoneNumberSpec { CountryCode = "??" } },
            IdentityCenter = new IdentityCenterSpec { AssignedUsers = [""], AssignedGroups = [""], InstanceArn = "x", Region = "mars-north-1" },
            AppStream = new AppStreamSpec { ImageBuilder = new ImageBuilderSpec { SubnetIds = ["x"], SecurityGroupIds = ["x"] } },
            CcpPages = new CcpPagesSpec { CcpAckTimeoutMs = 0, CcpSynTimeoutMs = 0, CcpLoadTimeoutMs = 0 },
            Hosting = new HostingSpec { Mode = HostingMode.CloudFront, CloudFrontDomain = "https://bad/" },
        };
        var checkedPaths = 0;

        foreach (var section in Enum.GetValues<SpecSection>())
        {
            var paths = TenantSpecRules.Validate(spec, new SpecTarget("eu-west-2"), section).Keys.ToList();
            paths.ShouldNotBeEmpty(section.ToString());
            foreach (var path in paths)
            {
                TenantSpecRules.SectionOf(path).ShouldBe(section, path);
                checkedPaths++;
            }
        }

        checkedPaths.ShouldBeGreaterThan(25);
    }
}
