using System.Text;

namespace SplitCcp.Tests.Core.Ccp;

/// <summary>
/// The test oracle for Windows command lines: splits one the way the C runtime (and CommandLineToArgvW, for every
/// argument after the program name) does, written from the documented rules rather than from the code under test.
/// </summary>
internal static class WindowsArgv
{
    public static IReadOnlyList<string> Split(string commandLine)
    {
        var arguments = new List<string>();
        var i = 0;
        while (true)
        {
            while (i < commandLine.Length && commandLine[i] is ' ' or '\t')
            {
                i++;
            }

            if (i == commandLine.Length)
            {
                return arguments;
            }

            var argument = new StringBuilder();
            var inQuotes = false;
            while (i < commandLine.Length && (inQuotes || commandLine[i] is not (' ' or '\t')))
            {
                var c = commandLine[i];
                if (c == '\\')
                {
                    var backslashes = 0;
                    while (i < commandLine.Length && commandLine[i] == '\\')
                    {
                        backslashes++;
                        i++;
                    }

                    if (i < commandLine.Length && commandLine[i] == '"')
                    {
                        // 2n backslashes + quote: n backslashes, and the quote delimits; 2n+1: n backslashes and a literal quote.
                        argument.Append('\\', backslashes / 2);
                        if (backslashes % 2 == 1)
                        {
                            argument.Append('"');
                            i++;
                        }
                    }
                    else
                    {
                        argument.Append('\\', backslashes);
                    }
                }
                else if (c == '"')
                {
                    if (inQuotes && i + 1 < commandLine.Length && commandLine[i + 1] == '"')
                    {
                        argument.Append('"');
                        i += 2;
                    }
                    else
                    {
                        inQuotes = !inQuotes;
                        i++;
                    }
                }
                else
                {
                    argument.Append(c);
                    i++;
                }
            }

            arguments.Add(argument.ToString());
        }
    }
}
