using Bunit;
using SplitCcp.Core.Reconciliation;
using SplitCcp.Web.Components.Reconciliation;

namespace SplitCcp.Tests.Components.Reconciliation;

/// <summary>An apply's progress: what it says while it runs, while it waits to be retried, and when it failed.</summary>
public sealed class ApplyProgressTests
{
    private static readonly DateTime s_started = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public async Task Render_ApplyWaitingToBeRetried_SaysSoAsAWarningNotAFailure()
    {
        await using var ctx = MudTestContext.Create();
        const string why = "1 step failed. First: IAM role: AWS is throttling IAM calls. The portal retries the whole apply at 12:01:00 UTC (retry 1 of 3).";
        var apply = Apply(ApplyState.Running, why, retryAt: s_started.AddMinutes(1),
            Step(0, ApplyStepState.Succeeded, "Created Connect instance."), Step(1, ApplyStepState.Pending, "Failed; to be retried with the whole apply."));

        var cut = ctx.Render<ApplyProgress>(p => p.Add(c => c.Apply, apply));

        cut.Find("[data-testid=apply-status]").TextContent.ShouldBe("Waiting to retry: 1 of 2 changes done");
        var alert = cut.Find("[data-testid=apply-error]");
        alert.TextContent.Trim().ShouldBe(why);
        alert.ClassList.ShouldContain("mud-alert-text-warning");
    }

    [Fact]
    public async Task Render_FailedApply_ShowsItsErrorAsAnError()
    {
        await using var ctx = MudTestContext.Create();
        var apply = Apply(ApplyState.Failed, "1 step failed. First: IAM role: AWS refused.", retryAt: null, Step(0, ApplyStepState.Failed, "AWS refused."));

        var cut = ctx.Render<ApplyProgress>(p => p.Add(c => c.Apply, apply));

        cut.Find("[data-testid=apply-status]").TextContent.ShouldBe("Apply failed");
        cut.Find("[data-testid=apply-error]").ClassList.ShouldContain("mud-alert-text-error");
    }

    private static ApplyView Apply(ApplyState state, string? error, DateTime? retryAt, params ApplyStepView[] steps) =>
        new(Guid.NewGuid(), Guid.NewGuid(), state, "operator@example.com", 3, s_started, s_started, state is ApplyState.Failed ? s_started.AddMinutes(2) : null,
            error, 1, retryAt is null ? 0 : 1, retryAt, steps);

    private static ApplyStepView Step(int ordinal, ApplyStepState state, string message) =>
        new(ordinal, $"resource/{ordinal}", $"Resource {ordinal}", "Create", state, message, s_started, null);
}
