using Bunit;
using SplitCcp.Core.Tenants.Spec;
using SplitCcp.Web.Components.Wizard;

namespace SplitCcp.Tests.Components.Wizard;

public sealed class CcpPagesStepTests
{
    private const string AckLabel = "CCP acknowledge timeout (ms)";
    private const string SynLabel = "CCP handshake timeout (ms)";
    private const string LoadLabel = "CCP load timeout (ms)";

    [Fact]
    public async Task ValidateAsync_ValidSpec_ReturnsTrueWithoutErrors()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<CcpPagesStep>(WizardSteps.ValidSpec());

        (await cut.ValidateAsync()).ShouldBeTrue();

        cut.ShownErrors().ShouldBeEmpty();
        cut.FindAll("[aria-invalid=true]").ShouldBeEmpty();
    }

    [Theory]
    [InlineData(AckLabel, 999, 1000, 60_000)]
    [InlineData(AckLabel, 60_001, 1000, 60_000)]
    [InlineData(SynLabel, 499, 500, 60_000)]
    [InlineData(SynLabel, -1, 500, 60_000)]
    [InlineData(LoadLabel, 0, 1000, 120_000)]
    [InlineData(LoadLabel, 120_001, 1000, 120_000)]
    public async Task ValidateAsync_TimeoutOutOfRange_ShowsRangeAtThatField(string label, int value, int min, int max)
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        switch (label)
        {
            case AckLabel:
                spec.CcpPages.CcpAckTimeoutMs = value;
                break;
            case SynLabel:
                spec.CcpPages.CcpSynTimeoutMs = value;
                break;
            default:
                spec.CcpPages.CcpLoadTimeoutMs = value;
                break;
        }

        var cut = ctx.RenderStep<CcpPagesStep>(spec);

        (await cut.ValidateAsync()).ShouldBeFalse();

        cut.FieldTextByLabel(label).ShouldBe(TenantSpecRules.TimeoutMs(value, min, max));
        cut.FieldTextByLabel(label).ShouldBe($"Use a value from {min} to {max} milliseconds.");
        cut.ShownErrors().Count.ShouldBe(1, "only the field out of range shows an error");
    }

    [Fact]
    public async Task ValidateAsync_TimeoutsAtTheirLimits_ReturnsTrue()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        spec.CcpPages.CcpAckTimeoutMs = 1000;
        spec.CcpPages.CcpSynTimeoutMs = 60_000;
        spec.CcpPages.CcpLoadTimeoutMs = 120_000;
        var cut = ctx.RenderStep<CcpPagesStep>(spec);

        (await cut.ValidateAsync()).ShouldBeTrue();

        cut.ShownErrors().ShouldBeEmpty();
    }

    [Fact]
    public async Task SwitchChange_HideControls_UpdatesSpecAndRaisesSpecChanged()
    {
        await using var ctx = MudTestContext.Create();
        var spec = WizardSteps.ValidSpec();
        var changes = 0;
        var cut = ctx.RenderStep<CcpPagesStep>(spec, more: p => p.Add(s => s.SpecChanged, () => changes++));

        await cut.Find("input[data-testid=spec-hide-controls]").ChangeAsync(false);

        spec.CcpPages.HideAudioOnlyControls.ShouldBeFalse();
        changes.ShouldBe(1);
    }

    [Fact]
    public async Task Render_ReadOnly_RendersEveryInputReadOnly()
    {
        await using var ctx = MudTestContext.Create();
        var cut = ctx.RenderStep<CcpPagesStep>(WizardSteps.ValidSpec(), readOnly: true);

        var inputs = cut.TextInputs();

        inputs.Count.ShouldBe(3);
        inputs.ShouldAllBe(i => i.HasAttribute("readonly"));
        var switches = cut.FindAll("input[type=checkbox]");
        switches.Count.ShouldBe(4);
        switches.ShouldAllBe(i => i.GetAttribute("aria-readonly") == "true");
    }
}
