namespace SplitCcp.Core.Reconciliation;

public enum PlanChangeKind
{
    /// <summary>The resource is in the plan now and was not in the one confirmed.</summary>
    Added,

    /// <summary>The resource was in the plan confirmed and is not any more.</summary>
    Removed,

    /// <summary>The resource's action, fields or readability differ.</summary>
    Changed,
}

/// <summary>How one resource differs between the plan a caller confirmed and the plan now, in words.</summary>
public sealed record PlanItemChange(string Key, string Title, PlanChangeKind Kind, PlanAction? Was, PlanAction? Now, string Description);

/// <summary>What differs between two plans of a tenant, item by item, in the order of the plan now.</summary>
public static class PlanComparison
{
    public static IReadOnlyList<PlanItemChange> Between(Plan confirmed, Plan now)
    {
        var before = confirmed.Items.ToDictionary(i => i.Key, StringComparer.Ordinal);
        var after = now.Items.Select(i => i.Key).ToHashSet(StringComparer.Ordinal);
        var changes = new List<PlanItemChange>();
        foreach (var item in now.Items)
        {
            if (!before.TryGetValue(item.Key, out var was))
            {
                changes.Add(new(item.Key, item.Title, PlanChangeKind.Added, null, item.Action, $"New in the plan: {Words(item.Action)}."));
            }
            else if (Describe(was, item) is { Count: > 0 } differences)
            {
                changes.Add(new(item.Key, item.Title, PlanChangeKind.Changed, was.Action, item.Action, string.Join(" ", differences)));
            }
        }

        changes.AddRange(confirmed.Items.Where(i => !after.Contains(i.Key))
            .Select(i => new PlanItemChange(i.Key, i.Title, PlanChangeKind.Removed, i.Action, null, $"No longer in the plan (was {Words(i.Action)}).")));
        return changes;
    }

    private static List<string> Describe(PlanItem was, PlanItem now)
    {
        var differences = new List<string>();
        if (was.Action != now.Action)
        {
            // Its fields are in the plan; another action says enough here.
            differences.Add($"Was {Words(was.Action)}, now {Words(now.Action)}.");
            return differences;
        }

        if (was.Unreadable != now.Unreadable)
        {
            differences.Add(now.Unreadable ? "AWS no longer lets the portal read it." : "AWS lets the portal read it again.");
        }

        var before = was.Changes.ToDictionary(c => c.Field, StringComparer.Ordinal);
        foreach (var change in now.Changes)
        {
            if (!before.Remove(change.Field, out var old))
            {
                differences.Add($"{change.Field}: now to change, AWS has {Show(change.Actual)}, the setup wants {Show(change.Expected)}.");
                continue;
            }

            if (!string.Equals(old.Actual, change.Actual, StringComparison.Ordinal))
            {
                differences.Add($"{change.Field}: AWS has {Show(change.Actual)} (was {Show(old.Actual)}).");
            }

            if (!string.Equals(old.Expected, change.Expected, StringComparison.Ordinal))
            {
                differences.Add($"{change.Field}: the setup wants {Show(change.Expected)} (was {Show(old.Expected)}).");
            }
        }

        differences.AddRange(before.Values.Select(old => $"{old.Field}: no longer to change."));
        return differences;
    }

    private static string Words(PlanAction action) => action switch
    {
        PlanAction.InSync => "in sync",
        PlanAction.Create => "to create",
        PlanAction.Update => "to update",
        PlanAction.Manual => "a console step",
        _ => "blocked",
    };

    private static string Show(string? value) => value is null ? "nothing" : $"\"{(value.Length > 80 ? $"{value[..77]}..." : value)}\"";
}
