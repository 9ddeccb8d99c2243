using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Text.RegularExpressions;

namespace SplitCcp.Tests.Core.Ccp;

/// <summary>A generated script as the real PowerShell parser sees it (System.Management.Automation, PowerShell 7.6).</summary>
internal sealed partial class PowerShellScript
{
    private PowerShellScript(string text, ScriptBlockAst ast, Token[] tokens)
    {
        Text = text;
        Ast = ast;
        Tokens = tokens;
    }

    public string Text { get; }

    public ScriptBlockAst Ast { get; }

    public Token[] Tokens { get; }

    /// <summary>The script's token kinds, with the text of every token except single-quoted literals: two scripts with the
    /// same shape differ only inside such literals, so whatever differs between them can only be data.</summary>
    public IReadOnlyList<string> Shape =>
        [.. Tokens.Select(t => t.Kind == TokenKind.StringLiteral ? "StringLiteral" : $"{t.Kind}:{t.Text}")];

    /// <summary>The top-level assignments of the tenant-values block, by variable name, with their right-hand side.</summary>
    public IReadOnlyDictionary<string, string> DataAssignments =>
        Ast.EndBlock.Statements
            .SkipWhile(s => !IsAssignmentTo(s, "ErrorActionPreference"))
            .Skip(1)
            .TakeWhile(s => s is AssignmentStatementAst && !IsAssignmentTo(s, "imageAssistant"))
            .Cast<AssignmentStatementAst>()
            .ToDictionary(a => ((VariableExpressionAst)a.Left).VariablePath.UserPath, a => a.Right.Extent.Text, StringComparer.Ordinal);

    public static PowerShellScript Parse(string text)
    {
        var ast = Parser.ParseInput(text, out var tokens, out var errors);
        errors.ShouldBeEmpty(string.Join("; ", errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
        return new PowerShellScript(text, ast, tokens);
    }

    /// <summary>True when the text is a single-quoted literal, the base64 form, or an array of them: nothing that runs.</summary>
    public static bool IsInertLiteral(string expression) => InertLiteralPattern().IsMatch(expression);

    /// <summary>
    /// Runs the tenant-values block in a runspace with no commands at all and returns each variable's value. Called only
    /// after <see cref="IsInertLiteral"/> has passed for every right-hand side.
    /// </summary>
    public IReadOnlyDictionary<string, object?> EvaluateData()
    {
        var assignments = DataAssignments;
        foreach (var (name, expression) in assignments)
        {
            IsInertLiteral(expression).ShouldBeTrue($"${name} = {expression}");
        }

        var empty = InitialSessionState.Create();
        empty.LanguageMode = PSLanguageMode.FullLanguage;
        using var runspace = RunspaceFactory.CreateRunspace(empty);
        runspace.Open();
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, expression) in assignments)
        {
            using var shell = PowerShell.Create(runspace);
            var result = shell.AddScript($"@({expression})").Invoke();
            shell.HadErrors.ShouldBeFalse();
            values[name] = expression.StartsWith("@(", StringComparison.Ordinal)
                ? result.Select(r => (string)r.BaseObject).ToArray()
                : (string)result.Single().BaseObject;
        }

        return values;
    }

    private static bool IsAssignmentTo(StatementAst statement, string name) =>
        statement is AssignmentStatementAst { Left: VariableExpressionAst variable } && variable.VariablePath.UserPath == name;

    private const string Single = @"(?:'(?:[^']|'')*'|\(\[System\.Text\.Encoding\]::UTF8\.GetString\(\[System\.Convert\]::FromBase64String\('[A-Za-z0-9+/=]*'\)\)\))";

    [GeneratedRegex($@"^(?:{Single}|@\({Single}(?:, {Single})*\))\z")]
    private static partial Regex InertLiteralPattern();
}
