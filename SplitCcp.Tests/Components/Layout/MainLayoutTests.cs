using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Data.Sqlite;
using SplitCcp.Web.Components.Layout;

namespace SplitCcp.Tests.Components.Layout;

public sealed class MainLayoutTests
{
    [Fact]
    public async Task Render_ASaveRefusedByAFullDisk_ShowsWhyInsteadOfEndingTheCircuit_AndBringsThePageBack()
    {
        await using var ctx = MudTestContext.Create(c => c.AddAuthorization().SetAuthorized("admin@example.com"));
        var cut = ctx.Render<MainLayout>(p => p.Add(l => l.Body, SavingPage(DiskFullError())));

        cut.Find("#save").Click();

        cut.Find("h5").TextContent.Trim().ShouldBe("The disk is full: the portal cannot save.");
        cut.Find("h5 + p").TextContent.ShouldContain("Nothing was saved. Free space on the disk that holds the data folder.");
        cut.FindAll("#save").ShouldBeEmpty();
        cut.Find("[data-testid=status-retry]").Click();
        cut.FindAll("#save").Count.ShouldBe(1);
    }

    private static RenderFragment SavingPage(Exception failure) => builder =>
    {
        builder.OpenComponent<FailingSavePage>(0);
        builder.AddComponentParameter(1, nameof(FailingSavePage.Failure), failure);
        builder.CloseComponent();
    };

    /// <summary>SQLite's own "database or disk is full": a row that needs more pages than the database may have.</summary>
    private static SqliteException DiskFullError()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE t (x); PRAGMA max_page_count = 2;";
        command.ExecuteNonQuery();
        command.CommandText = "INSERT INTO t VALUES (zeroblob(100000));";
        return Should.Throw<SqliteException>(() => command.ExecuteNonQuery());
    }

    /// <summary>A page whose save button fails as a save fails on a full disk.</summary>
    private sealed class FailingSavePage : ComponentBase
    {
        [Parameter]
        public Exception Failure { get; set; } = null!;

        protected override void BuildRenderTree(RenderTreeBuilder builder)
        {
            builder.OpenElement(0, "button");
            builder.AddAttribute(1, "id", "save");
            builder.AddAttribute(2, "onclick", EventCallback.Factory.Create(this, () => throw Failure));
            builder.CloseElement();
        }
    }
}
