namespace SplitCcp.Core.GoLive;

/// <summary>
/// One result of a go-live check done with an agent, as someone recorded it. Rows are only added: the latest of a check
/// counts, the earlier ones are its history (and each is in the audit too).
/// </summary>
public sealed class GoLiveResult
{
    public long Id { get; set; }

    public Guid TenantId { get; set; }

    /// <summary>One of <see cref="GoLiveChecks.Manual"/>.</summary>
    public string CheckKey { get; set; } = "";

    public bool Passed { get; set; }

    /// <summary>What was seen; required for a failure.</summary>
    public string? Note { get; set; }

    /// <summary>The agent (the Connect username, an e-mail) the check was done with, when one was named.</summary>
    public string? Agent { get; set; }

    public string RecordedBy { get; set; } = "";

    public DateTime RecordedAt { get; set; }
}
