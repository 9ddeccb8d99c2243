using System.Globalization;

namespace SplitCcp.Web.Components.Account;

/// <summary>Wording shared by the account pages.</summary>
internal static class AccountText
{
    /// <summary>A link's lifetime as people say it: "72 hours", "30 minutes".</summary>
    public static string Duration(TimeSpan span) => span switch
    {
        { TotalHours: >= 1 } when span.TotalHours % 1 == 0 => Plural((int)span.TotalHours, "hour"),
        { TotalMinutes: >= 1 } when span.TotalMinutes % 1 == 0 => Plural((int)span.TotalMinutes, "minute"),
        _ => Plural((int)Math.Ceiling(span.TotalSeconds), "second"),
    };

    private static string Plural(int count, string unit) => string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? "" : "s")}");
}
