using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;

namespace SplitCcp.Core.GoLive;

/// <summary>
/// The go-live checks by key, and how each is judged: an automatic check from the resources and synthetic checks of the
/// tenant's latest drift report (no AWS call of its own), a manual one from the latest result someone recorded.
/// </summary>
public static class GoLiveChecks
{
    public const int MaxNoteLength = 1000;

    // Ticked by the portal from its drift checks.
    public const string Pages = "pages";
    public const string ApprovedOrigin = "approved-origin";
    public const string SamlProvider = "saml-provider";
    public const string Assignments = "assignments";
    public const string Fleet = "fleet";

    // Done with an agent, in the order of the agent's day: the original guide's last step.
    public const string SignIn = "sign-in";
    public const string Session = "session";
    public const string InSession = "in-session";
    public const string AudioOnly = "audio-only";
    public const string TestCall = "test-call";
    public const string LocalAudio = "local-audio";

    public static IReadOnlyList<string> Automatic { get; } = [Pages, ApprovedOrigin, SamlProvider, Assignments, Fleet];

    public static IReadOnlyList<string> Manual { get; } = [SignIn, Session, InSession, AudioOnly, TestCall, LocalAudio];

    public static IReadOnlyList<string> All { get; } = [.. Automatic, .. Manual];

    public static bool IsAutomatic(string key) => Automatic.Contains(key, StringComparer.Ordinal);

    /// <summary>The drift report's resources an automatic check reads; all must be in sync for it to pass.</summary>
    internal static IReadOnlyList<string> ResourcesOf(string key) => key switch
    {
        Pages => [SyntheticChecks.AudioOnlyPageKey, SyntheticChecks.InSessionPageKey, SyntheticChecks.ConnectStreamsKey],
        ApprovedOrigin => [SyntheticChecks.ApprovedOriginKey],
        SamlProvider => [ResourceKeys.SamlProvider],
        Assignments => [ResourceKeys.IdentityCenterApplication, ResourceKeys.IdentityCenterAssignments],
        Fleet => [ResourceKeys.Stack, ResourceKeys.Fleet, ResourceKeys.StackFleet],
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Not an automatic go-live check."),
    };

    /// <summary>
    /// An automatic check as the latest drift report found it. <paramref name="report"/> null: never checked, or the
    /// check could not look at the resources (<paramref name="whyNot"/> says why).
    /// </summary>
    internal static (GoLiveCheckState State, string? Note) Judge(string key, IReadOnlyDictionary<string, DriftResource>? report, string? whyNot)
    {
        if (report is null)
        {
            return (GoLiveCheckState.NotDone, whyNot ?? "Not checked yet: check the tenant now, or wait for the next scheduled drift check.");
        }

        var keys = ResourcesOf(key);
        if (key == Assignments && !report.ContainsKey(ResourceKeys.IdentityCenterAssignments))
        {
            return (GoLiveCheckState.Failed, "The setup assigns no Identity Center user or group to the application, so no agent can sign in. "
                + "Add the agents (or their group) in the setup's Identity Center step, then apply.");
        }

        if (keys.Any(k => !report.ContainsKey(k)))
        {
            return (GoLiveCheckState.NotDone, "The last drift check did not look at this; check the tenant again.");
        }

        var problems = keys.Select(k => report[k]).Where(r => r.State != DriftState.InSync).ToList();
        if (problems.Count == 0)
        {
            return (GoLiveCheckState.Passed, null);
        }

        // What is wrong comes before what is only not set up yet.
        var worst = problems.FirstOrDefault(r => r.IsOutOfLine || r.State == DriftState.Error) ?? problems[0];
        var state = worst.IsOutOfLine || worst.State == DriftState.Error ? GoLiveCheckState.Failed : GoLiveCheckState.NotDone;
        return (state, $"{worst.Title}: {Describe(worst)}");
    }

    /// <summary>Every check passes: the automatic ones in the report, the manual ones in their latest results.</summary>
    internal static bool AllPassed(IReadOnlyDictionary<string, DriftResource>? report, IReadOnlyDictionary<string, GoLiveResult> latest) =>
        Automatic.All(key => Judge(key, report, null).State == GoLiveCheckState.Passed)
        && Manual.All(key => latest.TryGetValue(key, out var result) && result.Passed);

    private static string Describe(DriftResource resource) =>
        resource.Message ?? resource.State switch
        {
            DriftState.Missing => "missing. Apply to create it.",
            DriftState.Drifted => $"differs from the setup ({string.Join(", ", resource.Changes.Select(c => $"{c.Field} is {c.Actual ?? "missing"}, expected {c.Expected}"))}). Apply to fix it.",
            DriftState.Pending => "not set up yet. Apply, and do the console steps the plan lists.",
            DriftState.Error => "AWS would not answer; the next check tries again.",
            _ => "not checked yet.",
        };
}
