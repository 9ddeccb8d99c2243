using SplitCcp.Core.Reconciliation;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Tests.Core.Reconciliation;

/// <summary>A plan's fingerprint follows what it would do and nothing else; the comparison of two plans says how they differ.</summary>
public sealed class PlanFingerprintTests
{
    private static readonly Guid s_tenant = Guid.NewGuid();

    private static PlanItem Item(string key, PlanAction action, params FieldChange[] changes) =>
        new(key, $"The {key}", SpecSection.Hosting, action, [], changes, null, []);

    private static Plan PlanOf(params PlanItem[] items) => new(s_tenant, DateTimeOffset.UnixEpoch, items);

    private static readonly Plan s_plan = PlanOf(
        Item("bucket", PlanAction.Update, new FieldChange("versioning", "Enabled", "Suspended")),
        Item("policy", PlanAction.InSync),
        Item("image", PlanAction.Manual));

    [Fact]
    public void Titles_reasons_instructions_and_times_leave_the_fingerprint_as_it_is()
    {
        var reworded = s_plan with
        {
            CreatedAt = DateTimeOffset.UnixEpoch.AddHours(1),
            Items = [.. s_plan.Items.Select(i => i with { Title = "Another title", Reason = "Worded otherwise.", Instructions = [new InstructionStep("Click.")], Observed = true })],
        };

        reworded.Fingerprint.ShouldBe(s_plan.Fingerprint);
        s_plan.Fingerprint.ShouldMatch("^[0-9a-f]{64}$");
    }

    [Fact]
    public void An_action_a_value_AWS_has_readability_or_the_order_of_the_resources_changes_it()
    {
        Plan[] others =
        [
            s_plan with { Items = [s_plan.Items[0], s_plan.Items[1] with { Action = PlanAction.Create }, s_plan.Items[2]] },
            s_plan with { Items = [s_plan.Items[0] with { Changes = [new FieldChange("versioning", "Enabled", "Disabled")] }, s_plan.Items[1], s_plan.Items[2]] },
            s_plan with { Items = [s_plan.Items[0], s_plan.Items[1], s_plan.Items[2] with { Action = PlanAction.Blocked, Unreadable = true }] },
            s_plan with { Items = [s_plan.Items[1], s_plan.Items[0], s_plan.Items[2]] },
        ];

        others.Select(p => p.Fingerprint).Append(s_plan.Fingerprint).Distinct().Count().ShouldBe(others.Length + 1);
    }

    [Fact]
    public void The_comparison_names_each_resource_added_removed_or_changed_and_how()
    {
        var now = PlanOf(
            Item("bucket", PlanAction.Update, new FieldChange("versioning", "Enabled", "Disabled")),
            Item("policy", PlanAction.Create, new FieldChange("policy", "{}", null)),
            Item("fleet", PlanAction.Blocked));

        var changes = PlanComparison.Between(s_plan, now);

        changes.Select(c => (c.Key, c.Kind, c.Was, c.Now, c.Description)).ShouldBe(
        [
            ("bucket", PlanChangeKind.Changed, PlanAction.Update, PlanAction.Update, "versioning: AWS has \"Disabled\" (was \"Suspended\")."),
            ("policy", PlanChangeKind.Changed, PlanAction.InSync, PlanAction.Create, "Was in sync, now to create."),
            ("fleet", PlanChangeKind.Added, null, PlanAction.Blocked, "New in the plan: blocked."),
            ("image", PlanChangeKind.Removed, PlanAction.Manual, null, "No longer in the plan (was a console step)."),
        ]);
        PlanComparison.Between(s_plan, s_plan with { CreatedAt = DateTimeOffset.UtcNow }).ShouldBeEmpty();
    }
}
