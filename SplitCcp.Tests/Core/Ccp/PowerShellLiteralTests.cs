using SplitCcp.Core.Ccp.Policies;

namespace SplitCcp.Tests.Core.Ccp;

public sealed class PowerShellLiteralTests
{
    [Theory]
    [InlineData("plain", "'plain'")]
    [InlineData("it's", "'it''s'")]
    [InlineData("$(calc) `n \"x\"", "'$(calc) `n \"x\"'")]
    [InlineData("\u00e9", "([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('w6k=')))")]
    [InlineData("\r\n", "([System.Text.Encoding]::UTF8.GetString([System.Convert]::FromBase64String('DQo=')))")]
    public void For_Value_IsASingleQuotedLiteralOrBase64(string value, string expected)
    {
        PowerShellLiteral.For(value).ShouldBe(expected);
    }

    [Theory]
    [MemberData(nameof(PolicyTestValues.Payloads), MemberType = typeof(PolicyTestValues))]
    public void For_AnyValue_ParsesAsOneInertExpressionThatEvaluatesToIt(string payload)
    {
        var script = PowerShellScript.Parse("$ErrorActionPreference = 'Stop'\n$value = " + PowerShellLiteral.For(payload) + "\n$imageAssistant = ''");

        PowerShellScript.IsInertLiteral(script.DataAssignments["value"]).ShouldBeTrue();
        script.EvaluateData()["value"].ShouldBe(payload);
    }
}
