using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

namespace Pgark.Tests.Api;

/// <summary>
/// One line per public type and per public or protected member of an assembly, sorted: the surface an embedder can
/// compile against. Written as C#-like signatures, which is enough to review a change in a diff.
/// </summary>
internal static class PublicApiListing
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static string For(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (Type type in assembly.GetExportedTypes())
        {
            string name = TypeName(type);
            lines.Add(TypeLine(type));
            foreach (MemberInfo member in type.GetMembers(Declared))
            {
                if (MemberLine(type, member) is { } line)
                    lines.Add(name + "." + line);
            }
        }
        lines.Sort(StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (string line in lines.Distinct())
            text.Append(line).Append('\n');
        return text.ToString();
    }

    private static string TypeLine(Type type)
    {
        string kind = type.IsEnum ? "enum" : type.IsValueType ? "struct" : type.IsInterface ? "interface"
            : typeof(Delegate).IsAssignableFrom(type) ? "delegate" : "class";
        string modifiers = type is { IsClass: true, IsAbstract: true, IsSealed: true } ? "static "
            : type is { IsClass: true, IsSealed: true } && kind == "class" ? "sealed "
            : type is { IsClass: true, IsAbstract: true } ? "abstract " : "";
        var bases = new List<string>();
        if (type.BaseType is { } baseType && baseType != typeof(object) && baseType != typeof(ValueType) && baseType != typeof(Enum)
            && baseType != typeof(MulticastDelegate))
            bases.Add(TypeName(baseType));
        if (type.IsEnum)
            bases.Add(TypeName(Enum.GetUnderlyingType(type)));
        bases.AddRange(type.GetInterfaces().Where(i => i.IsPublic || i.IsNestedPublic).Select(TypeName).Order(StringComparer.Ordinal));
        // "Name [kind]" sorts before "Name.member": each type's line heads its members.
        return $"{TypeName(type)} [{modifiers}{kind}]" + (bases.Count > 0 ? " : " + string.Join(", ", bases) : "");
    }

    private static string? MemberLine(Type type, MemberInfo member)
    {
        if (member.Name.StartsWith('<') || member.IsDefined(typeof(CompilerGeneratedAttribute)) && member is not MethodBase)
            return null;
        switch (member)
        {
            case ConstructorInfo c when Visible(c):
                return $"{Access(c)}{(c.IsStatic ? "static " : "")}.ctor({Parameters(c)})";
            case MethodInfo m when Visible(m) && !m.IsSpecialName:
                return $"{Access(m)}{Modifiers(m)}{TypeName(m.ReturnType)} {m.Name}{GenericArguments(m)}({Parameters(m)})";
            case MethodInfo m when Visible(m) && m.Name.StartsWith("op_", StringComparison.Ordinal):
                return $"{Access(m)}static {TypeName(m.ReturnType)} {m.Name}({Parameters(m)})";
            case PropertyInfo p when Accessors(p).Any(Visible):
                var accessors = new List<string>();
                if (p.GetMethod is { } get && Visible(get))
                    accessors.Add("get;");
                if (p.SetMethod is { } set && Visible(set))
                    accessors.Add(set.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)) ? "init;" : "set;");
                MethodInfo any = Accessors(p).First(Visible);
                string indexer = p.GetIndexParameters().Length > 0 ? $"this[{Parameters(p.GetMethod ?? p.SetMethod!)}]" : p.Name;
                return $"{Access(any)}{Modifiers(any)}{TypeName(p.PropertyType)} {indexer} {{ {string.Join(" ", accessors)} }}";
            case FieldInfo f when (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !f.IsSpecialName:
                if (type.IsEnum)
                    return $"{f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}";
                string constant = f.IsLiteral ? $" = {Literal(f.GetRawConstantValue())}" : "";
                return $"{(f.IsFamily ? "protected " : "")}{(f.IsLiteral ? "const " : f.IsStatic ? "static " : "")}{(f.IsInitOnly ? "readonly " : "")}{TypeName(f.FieldType)} {f.Name}{constant}";
            case EventInfo e when e.AddMethod is { } add && Visible(add):
                return $"{Access(add)}event {TypeName(e.EventHandlerType!)} {e.Name}";
            default:
                return null;
        }
    }

    private static IEnumerable<MethodInfo> Accessors(PropertyInfo p) => new[] { p.GetMethod, p.SetMethod }.OfType<MethodInfo>();

    private static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    private static string Access(MethodBase m) => m.IsPublic ? "" : "protected ";

    private static string Modifiers(MethodInfo m)
    {
        if (m.IsStatic)
            return "static ";
        if (m.DeclaringType!.IsInterface)
            return m.IsAbstract ? "" : "default ";
        if (m.IsAbstract)
            return "abstract ";
        if (m.IsVirtual && !m.IsFinal)
            return m.GetBaseDefinition() == m ? "virtual " : "override ";
        return m.IsVirtual && m.GetBaseDefinition() != m ? "override " : "";
    }

    private static string GenericArguments(MethodInfo m)
        => m.IsGenericMethodDefinition ? "<" + string.Join(", ", m.GetGenericArguments().Select(a => a.Name)) + ">" : "";

    private static string Parameters(MethodBase m) => string.Join(", ", m.GetParameters().Select(p =>
    {
        string type = p.ParameterType.IsByRef
            ? (p.IsOut ? "out " : p.IsIn ? "in " : "ref ") + TypeName(p.ParameterType.GetElementType()!)
            : (p.IsDefined(typeof(ParamArrayAttribute)) ? "params " : "") + TypeName(p.ParameterType);
        string value = p.RawDefaultValue is null && p.ParameterType.IsValueType && Nullable.GetUnderlyingType(p.ParameterType) is null
            ? "default" : Literal(p.RawDefaultValue);
        return $"{type} {p.Name}" + (p.HasDefaultValue ? " = " + value : "");
    }));

    private static string Literal(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    internal static string TypeName(Type type)
    {
        if (type.IsByRef)
            return "ref " + TypeName(type.GetElementType()!);
        if (type.IsArray)
            return TypeName(type.GetElementType()!) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        if (type.IsPointer)
            return TypeName(type.GetElementType()!) + "*";
        if (type.IsGenericParameter)
            return type.Name;
        if (Nullable.GetUnderlyingType(type) is { } underlying)
            return TypeName(underlying) + "?";
        string name = type.IsNested ? TypeName(type.DeclaringType!) + "." + type.Name : type.Namespace + "." + type.Name;
        if (!type.IsGenericType)
            return name;
        int tick = name.IndexOf('`', StringComparison.Ordinal);
        // A nested type of a generic type carries its parent's arguments too; show only its own.
        Type[] arguments = type.GetGenericArguments();
        int own = type.IsNested && type.DeclaringType!.IsGenericType ? arguments.Length - type.DeclaringType.GetGenericArguments().Length : arguments.Length;
        return (tick < 0 ? name : name[..tick]) + (own > 0 ? "<" + string.Join(", ", arguments.Skip(arguments.Length - own).Select(TypeName)) + ">" : "");
    }
}
