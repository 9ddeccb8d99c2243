using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Tenants;

public sealed class CountriesTests
{
    [Theory]
    [InlineData("US", "the United States", "United States")]
    [InlineData("GB", "the United Kingdom", "United Kingdom")]
    [InlineData("NL", "the Netherlands", "Netherlands")]
    [InlineData("DE", "Germany", "Germany")]
    [InlineData("BB", "Barbados", "Barbados")]
    public void InSentenceAndName_AssignedCode_GiveTheEnglishNameWithTheArticleOnlyInASentence(string code, string inSentence, string name)
    {
        Countries.InSentence(code).ShouldBe(inSentence);
        Countries.Name(code).ShouldBe(name);
    }

    [Theory]
    [InlineData("us")]
    [InlineData("XX")]
    [InlineData("USA")]
    [InlineData("")]
    [InlineData(null)]
    public void IsCode_NotAnAssignedCodeInCapitals_IsFalseAndTheRuleSaysSo(string? value)
    {
        Countries.IsCode(value).ShouldBeFalse();
        TenantSpecRules.CountryCode(value).ShouldBe("Enter a two-letter ISO country code in capitals, such as US, GB or DE.");
    }
}
