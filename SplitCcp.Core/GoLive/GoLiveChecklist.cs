using SplitCcp.Core.Ccp;
using SplitCcp.Core.Reconciliation.Drift;
using SplitCcp.Core.Reconciliation.Resources;
using SplitCcp.Core.Tenants;
using SplitCcp.Core.Tenants.Spec;

namespace SplitCcp.Core.GoLive;

/// <summary>
/// The go-live checklist generated from a tenant's setup: every address, name and value an operator needs to test the split
/// CCP with an agent is filled in, and each check says what should happen and what to look at if it does not.
/// </summary>
internal static class GoLiveChecklist
{
    /// <summary>The drift check the automatic checks read, as stored; <see cref="Resources"/> null when it looked at nothing.</summary>
    public sealed record DriftFindings(IReadOnlyDictionary<string, DriftResource>? Resources, string? WhyNot, DateTime? CheckedAt);

    public const string DriftCheckActor = "drift check";

    public static IReadOnlyList<GoLiveCheck> Build(
        TenantView tenant, TenantSpec spec, DriftFindings drift, IReadOnlyDictionary<string, GoLiveResult> latest)
    {
        var texts = new Texts(tenant, spec, SetupValues.For(tenant.Region, spec));
        return [.. GoLiveChecks.All.Select(key =>
        {
            var (title, todo, expect, ifNot, link) = texts.For(key);
            if (GoLiveChecks.IsAutomatic(key))
            {
                var (state, note) = GoLiveChecks.Judge(key, drift.Resources, drift.WhyNot);
                return new GoLiveCheck(key, title, GoLiveCheckKind.Automatic, todo, expect, ifNot, link, state, note, null,
                    drift.CheckedAt is null ? null : DriftCheckActor, drift.CheckedAt);
            }

            return latest.TryGetValue(key, out var result)
                ? new GoLiveCheck(key, title, GoLiveCheckKind.Manual, todo, expect, ifNot, link,
                    result.Passed ? GoLiveCheckState.Passed : GoLiveCheckState.Failed, result.Note, result.Agent, result.RecordedBy, result.RecordedAt)
                : new GoLiveCheck(key, title, GoLiveCheckKind.Manual, todo, expect, ifNot, link, GoLiveCheckState.NotDone, null, null, null, null);
        })];
    }

    public static string TitleOf(string key) => key switch
    {
        GoLiveChecks.Pages => "The CCP pages reach agents",
        GoLiveChecks.ApprovedOrigin => "The pages' origin is approved in Connect",
        GoLiveChecks.SamlProvider => "The SAML provider matches Identity Center",
        GoLiveChecks.Assignments => "Agents are assigned to the Identity Center application",
        GoLiveChecks.Fleet => "The fleet runs with capacity, behind the stack",
        GoLiveChecks.SignIn => "The agent signs in through Identity Center",
        GoLiveChecks.Session => "The AppStream session opens",
        GoLiveChecks.InSession => $"{SetupValues.InSessionPageName} signs the agent in without a softphone",
        GoLiveChecks.AudioOnly => $"{SetupValues.AudioOnlyPageName} is ready on the agent's PC",
        GoLiveChecks.TestCall => "A test call rings locally and is answered in the session",
        GoLiveChecks.LocalAudio => "The call audio stays on the agent's PC",
        _ => key,
    };

    /// <summary>The words of each check, with the setup's values in them (or what stands for a value not known yet).</summary>
    private sealed class Texts(TenantView tenant, TenantSpec spec, SetupValues values)
    {
        private string Origin => values.HostingOrigin ?? "(the pages' address, known once the hosting is set up)";

        private string AudioOnlyUrl => values.AudioOnlyUrl ?? $"{SetupValues.AudioOnlyPageName} (its address is known once the hosting is set up)";

        private string InSessionUrl => values.InSessionUrl ?? $"{SetupValues.InSessionPageName} (its address is known once the hosting is set up)";

        private string ConnectUrl => values.ConnectInstanceUrl ?? "the Connect instance's address";

        private string Stack => spec.AppStream.StackName ?? "(the stack)";

        private string FleetName => spec.AppStream.Fleet.Name ?? "(the fleet)";

        private string Application => $"\"{IdentityCenterApplicationResource.NameFor(tenant)}\"";

        public (string Title, string WhatToDo, string Expect, string IfNot, string? Link) For(string key)
        {
            var title = TitleOf(key);
            return key switch
            {
                GoLiveChecks.Pages => (title, Automatically,
                    $"Agents' browsers get {SetupValues.AudioOnlyPageName}, {SetupValues.InSessionPageName} and {SetupValues.ConnectStreamsName} from {Origin}, byte for byte as the portal publishes them.",
                    "The drift check names the file and what the address answered: apply to publish the files again, or check the bucket policy, Block Public Access and (with CloudFront) the distribution.",
                    null),
                GoLiveChecks.ApprovedOrigin => (title, Automatically,
                    $"{Origin} is among the approved origins of the Connect instance, so Connect lets the pages frame the contact control panel.",
                    "Apply adds it. Without it the pages show 'the contact control panel did not load'.", null),
                GoLiveChecks.SamlProvider => (title, Automatically,
                    $"The IAM SAML provider {spec.Iam.SamlProviderName} holds the same metadata as the Identity Center application.",
                    "Apply updates it from the application's metadata. Until then AWS refuses the agents' sign-in ('invalid SAML response').", null),
                GoLiveChecks.Assignments => (title, Automatically,
                    $"The Identity Center application exists, is enabled, and these are assigned to it: {Assigned}.",
                    "An unassigned agent sees 'not assigned' in the access portal: apply assigns those in the setup; a user or group Identity Center does not know must be created there first.",
                    null),
                GoLiveChecks.Fleet => (title, Automatically,
                    $"Fleet {FleetName} is RUNNING with {spec.AppStream.Fleet.DesiredCapacity} instances wanted, and is associated with stack {Stack}.",
                    "Apply starts a stopped fleet and associates it. A fleet that never reaches RUNNING usually lacks subnet addresses or instance quota: the AppStream console shows its errors.",
                    null),
                GoLiveChecks.SignIn => (title,
                    $"On the agent's own PC, open the application's start URL and sign in as the agent: {values.LoginUrl ?? "(the start URL, once it is in the setup)"}",
                    $"Identity Center signs the agent in and opens the Amazon Connect contact control panel of {ConnectUrl}.",
                    $"'Not assigned': assign the agent or their group to {Application} in Identity Center (the setup's Identity Center step). "
                    + $"'Your request included an invalid SAML response': the application's attribute mappings must be exactly {Mappings}, and its relay state {values.RelayState ?? "(known once the Connect instance exists)"}. "
                    + "Connect's 'access denied': the agent's Connect username must be exactly their Identity Center e-mail.",
                    values.LoginUrl),
                GoLiveChecks.Session => (title,
                    $"Start a test session below for the agent (a streaming URL of stack {Stack} and fleet {FleetName}, valid for a few minutes, opened in a new tab), or open the stack as agents do.",
                    $"The session streams, and the browser in it opens {InSessionUrl}.",
                    $"'No available instances': every instance of fleet {FleetName} is in use; raise its desired capacity in the setup. "
                    + $"The browser opens something else: the image's application must launch {InSessionUrl}; run {TenantArtifacts.ImageBuilderScriptName} on the builder again and capture a new image.",
                    null),
                GoLiveChecks.InSession => (title,
                    $"In the session, sign in in the window {SetupValues.InSessionPageName} opens.",
                    "Its status reads 'Sign-in: signed in to Amazon Connect as' the agent, and its contact control panel shows no audio device settings: it has no softphone.",
                    $"No sign-in window: the session's browser must allow pop-ups for {Origin} ({TenantArtifacts.ImageBuilderScriptName} sets it). "
                    + $"'The contact control panel did not load': the browser must allow cookies for {Origin} and {ConnectUrl}. "
                    + $"Audio device settings shown: the agent opened the standard contact control panel (ccp-v2) in the session, which takes the call audio away from the PC; close it.",
                    null),
                GoLiveChecks.AudioOnly => (title,
                    $"On the agent's own PC (not in the session), open {AudioOnlyUrl}, sign in, then run its self-test and have the agent read you the code.",
                    "The page shows 'Microphone: allowed' and the self-test shows the contact control panel connected; the code is M0 A0 F0 S0.",
                    "Each letter of the code is a check, each digit 0 passed, 1 a warning, 2 failed. "
                    + $"M (microphone): allow the microphone for {Origin}; {TenantArtifacts.AgentChromeRegistryName} or {TenantArtifacts.AgentFirefoxPoliciesName} allow it on every agent's PC. "
                    + "A (autoplay): the ringtone may not sound until the agent clicks the page; the same files allow autoplay. "
                    + $"F (the contact control panel): {Origin} must be an approved origin, and nothing on the network may block {ConnectUrl}. "
                    + $"S (sign-in): sign in in the pop-up window; allow pop-ups for {Origin}.",
                    values.AudioOnlyUrl is { } url ? $"{url}#self-test" : null),
                GoLiveChecks.TestCall => (title,
                    $"Set the agent to Available in the session's contact control panel, then call {Number} from any phone.",
                    $"The call rings on the agent's PC (through {SetupValues.AudioOnlyPageName}) and the agent accepts it in the contact control panel of the session.",
                    $"Nothing rings: the number must be associated with a contact flow that puts calls in a queue of the agent's routing profile ({Profiles}), in the Connect console under Channels, Phone numbers; and the agent must be Available. "
                    + $"It rings but the call drops when accepted: the agent's PC must have exactly one {SetupValues.AudioOnlyPageName} tab open.",
                    null),
                GoLiveChecks.LocalAudio => (title,
                    $"Talk on the call, then close the {SetupValues.AudioOnlyPageName} tab for a moment.",
                    $"Both sides hear each other through the agent's PC; the session's contact control panel shows the call but no media. With {SetupValues.AudioOnlyPageName} closed the caller is no longer heard, while the call stays up in the session.",
                    $"Audio comes from the session: the standard contact control panel (ccp-v2) is open in it, or a page other than {SetupValues.InSessionPageName}; close it. "
                    + $"No audio at all: the microphone and speakers of the agent's PC (the self-test's M), and that only one {SetupValues.AudioOnlyPageName} is open.",
                    null),
                _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Not a go-live check."),
            };
        }

        private const string Automatically = "Nothing: the portal checks this at every drift check and ticks it by itself.";

        private string Assigned => spec.IdentityCenter.AssignedUsers.Count + spec.IdentityCenter.AssignedGroups.Count == 0
            ? "nobody yet"
            : string.Join(", ", spec.IdentityCenter.AssignedUsers.Select(u => $"user {u}").Concat(spec.IdentityCenter.AssignedGroups.Select(g => $"group {g}")));

        private string Mappings => string.Join("; ", values.AttributeMappings.Select(m => $"{m.Attribute} = {m.Value} ({m.Format})"));

        private string Number => spec.Connect.PhoneNumber is { } number
            ? $"the {number.CountryCode} {(number.Type == PhoneNumberType.TollFree ? "toll-free" : "DID")} number the portal claimed for the instance (the Connect console lists it under Channels, Phone numbers)"
            : "a phone number of the instance that reaches the agent's queue";

        private string Profiles => spec.Connect.Agents.FirstOrDefault()?.RoutingProfile ?? "its routing profile";
    }
}
