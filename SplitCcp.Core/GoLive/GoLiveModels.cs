using System.Text.Json.Serialization;

namespace SplitCcp.Core.GoLive;

/// <summary>Who ticks a go-live check: the portal from its drift checks, or a person who did it with an agent.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GoLiveCheckKind>))]
public enum GoLiveCheckKind
{
    Automatic,
    Manual,
}

[JsonConverter(typeof(JsonStringEnumConverter<GoLiveCheckState>))]
public enum GoLiveCheckState
{
    /// <summary>Not tested yet, or (automatic) not checked yet or not set up yet.</summary>
    NotDone,
    Passed,
    Failed,
}

/// <summary>
/// One check of the go-live checklist: what to do, what should happen and what to look at if it does not, with its latest
/// result: who recorded it and when (for an automatic check, the drift check that found it), and the note.
/// </summary>
public sealed record GoLiveCheck(
    string Key,
    string Title,
    GoLiveCheckKind Kind,
    string WhatToDo,
    string Expect,
    string IfNot,
    string? Link,
    GoLiveCheckState State,
    string? Note,
    string? Agent,
    string? By,
    DateTime? At);

/// <summary>What the Connect side or the Identity Center side of an agent is like: ready to sign in, or what is wrong.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AgentCheckState>))]
public enum AgentCheckState
{
    Unknown,
    Ready,
    NotReady,
}

public sealed record AgentCheck(AgentCheckState State, string Text);

/// <summary>An agent's last go-live test: the checks done with them, their latest results, and when.</summary>
public sealed record AgentTest(int Passed, int Failed, IReadOnlyList<string> FailedChecks, DateTime At);

/// <summary>One agent of the setup, ready or not to take calls: their Connect user, their Identity Center assignment, their last test.</summary>
public sealed record AgentReadiness(string Email, string Name, AgentCheck ConnectUser, AgentCheck IdentityCenter, AgentTest? LastTest = null);

/// <summary>Where a test session streams from, and the test user the card suggests (the first agent, when AppStream accepts the name).</summary>
public sealed record GoLiveTestSession(string? StackName, string? FleetName, string? SuggestedUserId);

/// <summary>
/// A tenant's go-live checklist as the API and the tenant page show it. <see cref="IsLive"/> once every check has passed,
/// and since <see cref="LiveSince"/>; <see cref="Urgent"/> says what a live tenant no longer passes (agents are affected).
/// </summary>
public sealed record GoLiveReport(
    Guid TenantId,
    bool SetupComplete,
    bool IsLive,
    DateTime? LiveSince,
    int Passed,
    int Total,
    string? Urgent,
    DateTime? CheckedAt,
    IReadOnlyList<GoLiveCheck> Checks,
    GoLiveTestSession TestSession,
    IReadOnlyList<AgentReadiness> Agents,
    DateTime? AgentsCheckedAt);

/// <summary>A result as the API takes it: <c>{"result": "Passed" | "Failed", "note": "…", "agent": "maria@…"}</c>.</summary>
public sealed record GoLiveResultInput(string? Result, string? Note, string? Agent);

/// <summary>A streaming URL for a test user: shown once, never stored or logged.</summary>
public sealed record TestSession(string UserId, string StackName, string FleetName, string StreamingUrl, DateTime ExpiresAt);

public abstract record GoLiveRecordResult
{
    private GoLiveRecordResult()
    {
    }

    public sealed record Recorded(GoLiveReport Report) : GoLiveRecordResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : GoLiveRecordResult;

    /// <summary>The check is one the portal ticks itself.</summary>
    public sealed record Automatic(string Reason) : GoLiveRecordResult;

    public sealed record Forbidden : GoLiveRecordResult;

    /// <summary>The tenant is outside the caller's scope, or there is no check of that key.</summary>
    public sealed record NotFound : GoLiveRecordResult;
}

public abstract record TestSessionResult
{
    private TestSessionResult()
    {
    }

    public sealed record Started(TestSession Session) : TestSessionResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : TestSessionResult;

    /// <summary>The setup or AWS is not ready for a session (no stack yet, the fleet stopped…); <see cref="Reason"/> says what to do.</summary>
    public sealed record NotReady(string Reason) : TestSessionResult;

    public sealed record Forbidden : TestSessionResult;

    public sealed record NotFound : TestSessionResult;
}

public abstract record AgentsCheckResult
{
    private AgentsCheckResult()
    {
    }

    public sealed record Checked(GoLiveReport Report) : AgentsCheckResult;

    /// <summary>The tenant's account could not be opened; <see cref="Reason"/> says why.</summary>
    public sealed record NotReady(string Reason) : AgentsCheckResult;

    public sealed record Forbidden : AgentsCheckResult;

    public sealed record NotFound : AgentsCheckResult;
}
