using SplitCcp.Core.Ccp.Policies;

namespace SplitCcp.Tests.Core.Ccp;

public sealed class WindowsCommandLineTests
{
    [Theory]
    [InlineData("https://example.com/InSession.html", "\"https://example.com/InSession.html\"")]
    [InlineData("", "\"\"")]
    [InlineData("a b", "\"a b\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("a\\b", "\"a\\b\"")]
    [InlineData("a\\\"b", "\"a\\\\\\\"b\"")]
    [InlineData("trailing\\", "\"trailing\\\\\"")]
    [InlineData("\"https://x/InSession.html\"", "\"\\\"https://x/InSession.html\\\"\"")]
    public void Quote_Argument_MatchesTheCRuntimeRules(string argument, string quoted)
    {
        WindowsCommandLine.Quote(argument).ShouldBe(quoted);
    }

    [Theory]
    [MemberData(nameof(PolicyTestValues.Payloads), MemberType = typeof(PolicyTestValues))]
    public void Quote_AnyArgument_SplitsBackToExactlyIt(string payload)
    {
        WindowsArgv.Split("first " + WindowsCommandLine.Quote(payload) + " last").ShouldBe(["first", payload, "last"]);
        WindowsArgv.Split(WindowsCommandLine.Quote(WindowsCommandLine.Quote(payload))).Single().ShouldBe(WindowsCommandLine.Quote(payload));
    }
}
