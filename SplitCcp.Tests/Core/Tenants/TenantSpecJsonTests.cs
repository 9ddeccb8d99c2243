using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Tenants;

public sealed class TenantSpecJsonTests
{
    [Theory]
    [InlineData("connect", "agents", 48_000)]
    [InlineData("identityCenter", "assignedGroups", 10_000)]
    [InlineData("Connect", "Agents", 48_000)]
    public void Parse_ListOverItsCap_RefusedAtTheListBeforeItsItemsAreRead(string area, string list, int count)
    {
        // Items of the wrong type would fail deserialization: the cap's error proves they were never turned into objects.
        var json = $$"""{ "schemaVersion": 1, "{{area}}": { "{{list}}": [{{string.Join(',', Enumerable.Repeat("42", count))}}] } }""";

        var (spec, errors) = TenantSpecJson.Parse(json);

        spec.ShouldBeNull();
        var path = $"{char.ToLowerInvariant(area[0])}{area[1..]}.{char.ToLowerInvariant(list[0])}{list[1..]}";
        errors.Keys.ShouldBe([path]);
        errors[path].Single().ShouldStartWith("List at most 500 ");
    }

    [Fact]
    public void Parse_ListsWithinTheirCaps_AreRead()
    {
        var (spec, errors) = TenantSpecJson.Parse("""{ "schemaVersion": 1, "appStream": { "imageBuilder": { "securityGroupIds": ["sg-0123456789abcdef0", "sg-0123456789abcdef1"] } } }""");

        errors.ShouldBeEmpty();
        spec!.AppStream.ImageBuilder.SecurityGroupIds.Count.ShouldBe(2);
    }
}
