using System.Security.Cryptography;
using System.Text.Json;

namespace SplitCcp.Core.Reconciliation;

/// <summary>
/// The SHA-256 of what a plan would do, over a canonical form of its items in order: each resource's key, action, whether
/// it could be read, and its fields with the value the setup wants and the value AWS has. Titles, reasons, instructions and
/// times are left out: they can be worded differently without the plan doing anything else.
/// </summary>
public static class PlanFingerprint
{
    /// <summary>The length of a fingerprint: 64 lower-case hex digits.</summary>
    public const int Length = 64;

    public static string Of(Plan plan)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var item in plan.Items)
            {
                json.WriteStartArray();
                json.WriteStringValue(item.Key);
                json.WriteStringValue(item.Action.ToString());
                json.WriteBooleanValue(item.Unreadable);
                json.WriteStartArray();
                foreach (var change in item.Changes)
                {
                    json.WriteStartArray();
                    json.WriteStringValue(change.Field);
                    json.WriteStringValue(change.Expected);
                    json.WriteStringValue(change.Actual);
                    json.WriteEndArray();
                }

                json.WriteEndArray();
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
    }

    /// <summary>True for a string shaped like a fingerprint (hex digits of either case).</summary>
    public static bool IsWellFormed(string? fingerprint) =>
        fingerprint is { Length: Length } && fingerprint.All(char.IsAsciiHexDigit);
}
