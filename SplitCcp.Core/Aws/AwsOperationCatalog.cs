using System.Reflection;
using SplitCcp.Core.Aws.Gateways;

namespace SplitCcp.Core.Aws;

/// <summary>
/// Every <see cref="AwsOperation"/> the portal declares, read from the static <c>*Operations</c> classes beside
/// <see cref="AwsOperation"/> (see AwsOperations.cs), so a new operation reaches the onboarding policy without a list to keep.
/// </summary>
public static class AwsOperationCatalog
{
    /// <summary>The classes that declare operations: static, public, in the gateways' namespace, named <c>…Operations</c>.</summary>
    public static IReadOnlyList<Type> OperationClasses { get; } = typeof(AwsOperation).Assembly.GetExportedTypes()
        .Where(t => t is { IsAbstract: true, IsSealed: true, IsNested: false }
            && t.Namespace == typeof(AwsOperation).Namespace
            && t.Name.EndsWith("Operations", StringComparison.Ordinal))
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    public static IReadOnlyList<AwsOperation> All { get; } = OperationClasses.SelectMany(Of).ToList();

    /// <summary>The IAM actions of <see cref="All"/>: de-duplicated (IAM action names ignore case) and sorted.</summary>
    public static IReadOnlyList<string> IamActions { get; } = All
        .SelectMany(o => o.IamActions)
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The operations one class declares, in declaration order.</summary>
    public static IReadOnlyList<AwsOperation> Of(Type operationsClass) => operationsClass
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.FieldType == typeof(AwsOperation))
        .Select(f => (AwsOperation)f.GetValue(null)!)
        .ToList();
}
