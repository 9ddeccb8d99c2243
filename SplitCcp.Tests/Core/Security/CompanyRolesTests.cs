using SplitCcp.Core.Security;

namespace SplitCcp.Tests.Core.Security;

public sealed class CompanyRolesTests
{
    private static readonly OidcOptions s_options = new()
    {
        OperatorValues = ["splitccp-operators"],
        ViewerValues = ["splitccp-viewers"],
        TenantAdminPattern = "splitccp-admin-{tenant}",
        ViewerPattern = "splitccp-viewer-{tenant}",
    };

    [Fact]
    public void Map_OperatorValueBesideTenantGroups_GivesMspOperatorWithoutTenants()
    {
        var role = CompanyRoles.Map(s_options, ["splitccp-admin-acme", "SplitCcp-Operators"]);

        role.Role.ShouldBe(Roles.MspOperator);
        role.TenantSlugs.ShouldBeEmpty();
    }

    [Fact]
    public void Map_TenantAdminValues_GiveTenantAdminOfThoseSlugsOnly()
    {
        var role = CompanyRoles.Map(s_options, ["staff", "splitccp-admin-acme-support", "SPLITCCP-ADMIN-GLOBEX", "splitccp-viewer-initech"]);

        role.Role.ShouldBe(Roles.TenantAdmin);
        role.TenantSlugs.Order(StringComparer.Ordinal).ShouldBe(["acme-support", "globex"]);
    }

    [Fact]
    public void Map_ViewerPatternAndValue_GiveViewerOfThePatternsTenants()
    {
        var ofTenant = CompanyRoles.Map(s_options, ["splitccp-viewer-initech"]);
        ofTenant.Role.ShouldBe(Roles.Viewer);
        ofTenant.TenantSlugs.ShouldBe(["initech"]);
        CompanyRoles.Map(s_options, ["splitccp-viewers"]).Role.ShouldBe(Roles.Viewer);
        CompanyRoles.Map(s_options, ["splitccp-viewers"]).TenantSlugs.ShouldBeEmpty();
    }

    [Theory]
    [InlineData]
    [InlineData("staff")]
    [InlineData("splitccp-admin-")]
    [InlineData("splitccp-operators-old")]
    public void Map_NoMappedValue_GivesNoRole(params string[] values) => CompanyRoles.Map(s_options, values).Role.ShouldBeNull();

    [Fact]
    public void Map_PatternWithSuffix_ReadsTheSlugBetween()
    {
        var options = new OidcOptions { TenantAdminPattern = "cn={tenant},ou=splitccp" };

        CompanyRoles.Map(options, ["cn=acme,ou=splitccp"]).TenantSlugs.ShouldBe(["acme"]);
    }
}
