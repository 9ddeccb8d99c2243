using System.Diagnostics.CodeAnalysis;
using Bunit;
using SplitCcp.Web.Components.Shared;

[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Scope = "namespace",
    Target = "~N:SplitCcp.Tests.Components.Shared", Justification = "Mirrors SplitCcp.Web.Components.Shared; tests are never called from Visual Basic.")]

namespace SplitCcp.Tests.Components.Shared;

public sealed class StatusViewTests
{
    [Theory]
    [InlineData(403, "You can't do that here", "Your role does not allow this page or action. Ask an MSP operator if you need more access.")]
    [InlineData(404, "Not found", "There is nothing at this address, or it belongs to a tenant outside your scope.")]
    [InlineData(500, "Something went wrong", "The request ended with status 500. Try again; if it keeps happening, tell your administrator.")]
    [InlineData(418, "Something went wrong", "The request ended with status 418. Try again; if it keeps happening, tell your administrator.")]
    public async Task Render_StatusCode_ShowsTitleAndDetailForIt(int code, string title, string detail)
    {
        await using var ctx = MudTestContext.Create();

        var cut = ctx.Render<StatusView>(p => p.Add(v => v.Code, code));

        cut.Find("h5").TextContent.Trim().ShouldBe(title);
        cut.Find("h5 + p").TextContent.Trim().ShouldBe(detail);
        cut.Find("a").GetAttribute("href").ShouldBe("/");
    }

    [Fact]
    public async Task Render_NoCode_DefaultsToNotFound()
    {
        await using var ctx = MudTestContext.Create();

        var cut = ctx.Render<StatusView>();

        cut.Find("h5").TextContent.Trim().ShouldBe("Not found");
    }
}
