using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace SplitCcp.Tests.Infrastructure;

/// <summary>
/// The SQL that EF Core sends while <see cref="RecordAsync"/> runs its work, and only that: commands are told apart by an
/// async-local, so other tests' queries and the app's background work are not counted. One listener for the whole test
/// process, so that each command is seen once.
/// </summary>
internal sealed class DbCommandRecorder : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private static readonly AsyncLocal<List<string>?> s_current = new();
    private static readonly Lazy<IDisposable> s_listening = new(() => DiagnosticListener.AllListeners.Subscribe(new DbCommandRecorder()));
    private readonly List<IDisposable> _subscriptions = [];

    private DbCommandRecorder()
    {
    }

    /// <summary>The text of every command sent while <paramref name="work"/> ran, in order.</summary>
    public static async Task<IReadOnlyList<string>> RecordAsync(Func<Task> work)
    {
        _ = s_listening.Value;
        var commands = new List<string>();
        s_current.Value = commands;
        try
        {
            await work();
        }
        finally
        {
            s_current.Value = null;
        }

        lock (commands)
        {
            return [.. commands];
        }
    }

    /// <summary>True for a command that changes the database.</summary>
    public static bool IsWrite(string sql) =>
        sql.Contains("INSERT INTO", StringComparison.OrdinalIgnoreCase) || sql.TrimStart().StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)
        || sql.Contains("DELETE FROM", StringComparison.OrdinalIgnoreCase);

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == DbLoggerCategory.Name)
        {
            lock (_subscriptions)
            {
                _subscriptions.Add(value.Subscribe(this, name => name == RelationalEventId.CommandExecuting.Name));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Value is CommandEventData data && s_current.Value is { } commands)
        {
            lock (commands)
            {
                commands.Add(data.Command.CommandText);
            }
        }
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }
}
