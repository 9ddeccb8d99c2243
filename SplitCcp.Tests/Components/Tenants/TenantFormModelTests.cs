using SplitCcp.Core.Tenants;
using SplitCcp.Web.Components.Tenants;

namespace SplitCcp.Tests.Components.Tenants;

public sealed class TenantFormModelTests
{
    [Theory]
    [InlineData("Acme Support", "acme-support")]
    [InlineData("  Acme   Support  ", "acme-support")]
    [InlineData("ACME--Support!!", "acme-support")]
    [InlineData("2024 Acme", "acme")]
    [InlineData("-42-acme-7", "acme-7")]
    [InlineData("١٢٣ Acme", "acme")]
    [InlineData("ａｃｍｅ", "")]
    [InlineData("株式会社", "")]
    [InlineData("acme\nsupport", "acme-support")]
    [InlineData("<script>alert(1)</script>", "script-alert-1-script")]
    [InlineData("", "")]
    [InlineData("Société Générale", "societe-generale")]
    [InlineData("Ünïcødé GmbH", "unicode-gmbh")]
    [InlineData("Škoda Øresund", "skoda-oresund")]
    public void SuggestSlug_DisplayName_ReturnsLowercaseAsciiWords(string displayName, string expected) =>
        TenantFormModel.SuggestSlug(displayName).ShouldBe(expected);

    [Fact]
    public void SuggestSlug_LongName_CutsToMaxLengthWithoutTrailingHyphen()
    {
        var slug = TenantFormModel.SuggestSlug(new string('a', 39) + " bcdef");

        slug.ShouldBe(new string('a', 39));
        TenantRules.Slug(slug).ShouldBeNull();
    }

    [Theory]
    [InlineData("Acme Support")]
    [InlineData("The Very Long Name Of A Tenant That Keeps Going And Going")]
    [InlineData("Ops 24/7 -- EMEA")]
    public void SuggestSlug_AsciiName_PassesTheSlugRule(string displayName) =>
        TenantRules.Slug(TenantFormModel.SuggestSlug(displayName)).ShouldBeNull();

    [Fact]
    public void NewExternalId_EachCall_Returns32RandomHexCharactersThatPassTheRule()
    {
        var first = TenantFormModel.NewExternalId();
        var second = TenantFormModel.NewExternalId();

        first.ShouldMatch("^[0-9a-f]{32}$");
        first.ShouldNotBe(second);
        TenantRules.ExternalId(first).ShouldBeNull();
    }

    [Fact]
    public void From_TenantView_CopiesFieldsButNeverASecret()
    {
        var view = new TenantView(Guid.NewGuid(), "Acme", "acme", "eu-west-2", AwsAccessMode.AccessKeys, null, null,
            "AKIAIOSFODNN7EXAMPLE", HasSecretAccessKey: true, "http://localhost:5000", DateTime.UtcNow, DateTime.UtcNow, 7);

        var model = TenantFormModel.From(view);

        model.DisplayName.ShouldBe("Acme");
        model.Slug.ShouldBe("acme");
        model.Region.ShouldBe("eu-west-2");
        model.AccessMode.ShouldBe(AwsAccessMode.AccessKeys);
        model.AccessKeyId.ShouldBe("AKIAIOSFODNN7EXAMPLE");
        model.SecretAccessKey.ShouldBeEmpty();
        model.RoleArn.ShouldBeEmpty();
        model.ExternalId.ShouldMatch("^[0-9a-f]{32}$");
        model.EndpointUrl.ShouldBe("http://localhost:5000");
        model.Version.ShouldBe(7);
    }

    [Fact]
    public void ToInput_Model_ProducesInputThatValidatesWithModeName()
    {
        var model = TenantFormModel.New();
        model.DisplayName = "Acme";
        model.Slug = "acme";
        model.AccessMode = AwsAccessMode.AssumeRole;
        model.RoleArn = "arn:aws:iam::123456789012:role/SplitCcpAccess";
        model.Version = 2;

        var input = model.ToInput();

        input.AccessMode.ShouldBe("AssumeRole");
        input.Region.ShouldBe("us-east-1");
        input.ExternalId.ShouldBe(model.ExternalId);
        input.Version.ShouldBe(2);
        TenantRules.Validate(input, hasStoredSecret: false).ShouldBeEmpty();
    }
}
