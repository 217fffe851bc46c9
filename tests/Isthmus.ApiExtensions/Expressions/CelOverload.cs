namespace Isthmus.ApiExtensions.Expressions;

/// <summary>
/// One overload of a CEL function: its cel-go overload id (the key of the cost rules), whether it is called on a
/// receiver, its parameter types (the receiver first for member overloads; <see cref="CelTypeKind.TypeParam"/> for
/// generic parameters) and its result type.
/// </summary>
public sealed record CelOverload(string Function, string Id, bool Member, IReadOnlyList<CelType> Parameters, CelType Result);

/// <summary>
/// The functions a CRD validation rule can call, as Kubernetes 1.32 declares them: the CEL standard library, the
/// extended string functions Kubernetes enables, and the Kubernetes lists, regex, IP and CIDR libraries. A call to
/// a function outside this table is not understood: the estimator costs it as unbounded.
/// </summary>
public static class CelOverloads
{
    private static readonly CelType A = CelType.Param("A");
    private static readonly CelType B = CelType.Param("B");
    private static readonly CelType ListA = CelType.ListOf(A);
    private static readonly CelType MapAB = CelType.MapOf(A, B);

    private static readonly Dictionary<string, List<CelOverload>> ByFunction = Build();

    /// <summary>The overloads of <paramref name="function"/>, or an empty list when it is not declared.</summary>
    public static IReadOnlyList<CelOverload> Of(string function) =>
        ByFunction.TryGetValue(function, out var list) ? list : [];

    /// <summary>Whether a global function of this name is declared (for qualified names such as <c>ip.isCanonical</c>).</summary>
    public static bool IsDeclared(string function) => ByFunction.ContainsKey(function);

    private static Dictionary<string, List<CelOverload>> Build()
    {
        var table = new Dictionary<string, List<CelOverload>>(StringComparer.Ordinal);
        void Global(string function, string id, CelType result, params CelType[] parameters) =>
            Add(table, new CelOverload(function, id, false, parameters, result));
        void Member(string function, string id, CelType result, params CelType[] parameters) =>
            Add(table, new CelOverload(function, id, true, parameters, result));

        var b = CelType.Bool;
        var i = CelType.Int;
        var u = CelType.Uint;
        var d = CelType.Double;
        var s = CelType.String;
        var by = CelType.Bytes;
        var du = CelType.Duration;
        var ts = CelType.Timestamp;

        // Logic and control.
        Global(CelOperators.LogicalAnd, "logical_and", b, b, b);
        Global(CelOperators.LogicalOr, "logical_or", b, b, b);
        Global(CelOperators.LogicalNot, "logical_not", b, b);
        Global(CelOperators.NotStrictlyFalse, "not_strictly_false", b, b);
        Global(CelOperators.Conditional, "conditional", A, b, A, A);

        // Equality and ordering (with Kubernetes' cross-type numeric comparisons).
        Global(CelOperators.Equal, "equals", b, A, A);
        Global(CelOperators.NotEqual, "not_equals", b, A, A);
        var ordered = new (string Suffix, CelType Type)[] { ("bool", b), ("int64", i), ("uint64", u), ("double", d), ("string", s), ("bytes", by), ("timestamp", ts), ("duration", du) };
        var numbers = new (string Suffix, CelType Type)[] { ("int64", i), ("uint64", u), ("double", d) };
        foreach (var (op, name) in new[] { (CelOperators.Less, "less"), (CelOperators.LessEquals, "less_equals"), (CelOperators.Greater, "greater"), (CelOperators.GreaterEquals, "greater_equals") })
        {
            foreach (var (suffix, type) in ordered)
            {
                Global(op, $"{name}_{suffix}", b, type, type);
            }

            foreach (var (left, leftType) in numbers)
            {
                foreach (var (right, rightType) in numbers.Where(n => n.Suffix != left))
                {
                    Global(op, $"{name}_{left}_{right}", b, leftType, rightType);
                }
            }
        }

        // Arithmetic.
        Global(CelOperators.Add, "add_int64", i, i, i);
        Global(CelOperators.Add, "add_uint64", u, u, u);
        Global(CelOperators.Add, "add_double", d, d, d);
        Global(CelOperators.Add, "add_string", s, s, s);
        Global(CelOperators.Add, "add_bytes", by, by, by);
        Global(CelOperators.Add, "add_list", ListA, ListA, ListA);
        Global(CelOperators.Add, "add_timestamp_duration", ts, ts, du);
        Global(CelOperators.Add, "add_duration_timestamp", ts, du, ts);
        Global(CelOperators.Add, "add_duration_duration", du, du, du);
        Global(CelOperators.Subtract, "subtract_int64", i, i, i);
        Global(CelOperators.Subtract, "subtract_uint64", u, u, u);
        Global(CelOperators.Subtract, "subtract_double", d, d, d);
        Global(CelOperators.Subtract, "subtract_timestamp_timestamp", du, ts, ts);
        Global(CelOperators.Subtract, "subtract_timestamp_duration", ts, ts, du);
        Global(CelOperators.Subtract, "subtract_duration_duration", du, du, du);
        foreach (var (op, name) in new[] { (CelOperators.Multiply, "multiply"), (CelOperators.Divide, "divide") })
        {
            Global(op, name + "_int64", i, i, i);
            Global(op, name + "_uint64", u, u, u);
            Global(op, name + "_double", d, d, d);
        }

        Global(CelOperators.Modulo, "modulo_int64", i, i, i);
        Global(CelOperators.Modulo, "modulo_uint64", u, u, u);
        Global(CelOperators.Negate, "negate_int64", i, i);
        Global(CelOperators.Negate, "negate_double", d, d);

        // Indexing and membership.
        Global(CelOperators.Index, "index_list", A, ListA, i);
        Global(CelOperators.Index, "index_map", B, MapAB, A);
        Global(CelOperators.In, "in_list", b, A, ListA);
        Global(CelOperators.In, "in_map", b, A, MapAB);

        // size()
        Global("size", "size_string", i, s);
        Global("size", "size_bytes", i, by);
        Global("size", "size_list", i, ListA);
        Global("size", "size_map", i, MapAB);
        Member("size", "string_size", i, s);
        Member("size", "bytes_size", i, by);
        Member("size", "list_size", i, ListA);
        Member("size", "map_size", i, MapAB);

        // Strings.
        Global("matches", "matches", b, s, s);
        Member("matches", "matches_string", b, s, s);
        Member("contains", "contains_string", b, s, s);
        Member("startsWith", "starts_with_string", b, s, s);
        Member("endsWith", "ends_with_string", b, s, s);

        // Conversions.
        Global("type", "type", CelType.TypeOf(A), A);
        Global("dyn", "to_dyn", CelType.Dyn, A);
        Global("int", "int64_to_int64", i, i);
        Global("int", "uint64_to_int64", i, u);
        Global("int", "double_to_int64", i, d);
        Global("int", "string_to_int64", i, s);
        Global("int", "timestamp_to_int64", i, ts);
        Global("uint", "uint64_to_uint64", u, u);
        Global("uint", "int64_to_uint64", u, i);
        Global("uint", "double_to_uint64", u, d);
        Global("uint", "string_to_uint64", u, s);
        Global("double", "double_to_double", d, d);
        Global("double", "int64_to_double", d, i);
        Global("double", "uint64_to_double", d, u);
        Global("double", "string_to_double", d, s);
        Global("string", "string_to_string", s, s);
        Global("string", "int64_to_string", s, i);
        Global("string", "uint64_to_string", s, u);
        Global("string", "double_to_string", s, d);
        Global("string", "bytes_to_string", s, by);
        Global("string", "bool_to_string", s, b);
        Global("string", "timestamp_to_string", s, ts);
        Global("string", "duration_to_string", s, du);
        Global("bytes", "bytes_to_bytes", by, by);
        Global("bytes", "string_to_bytes", by, s);
        Global("bool", "bool_to_bool", b, b);
        Global("bool", "string_to_bool", b, s);
        Global("duration", "duration_to_duration", du, du);
        Global("duration", "string_to_duration", du, s);
        Global("timestamp", "timestamp_to_timestamp", ts, ts);
        Global("timestamp", "string_to_timestamp", ts, s);
        Global("timestamp", "int64_to_timestamp", ts, i);

        // Timestamp and duration accessors.
        foreach (var (function, id) in new[]
        {
            ("getFullYear", "timestamp_to_year"), ("getMonth", "timestamp_to_month"), ("getDayOfYear", "timestamp_to_day_of_year"),
            ("getDayOfMonth", "timestamp_to_day_of_month_zero_based"), ("getDate", "timestamp_to_day_of_month_one_based"),
            ("getDayOfWeek", "timestamp_to_day_of_week"), ("getHours", "timestamp_to_hours"), ("getMinutes", "timestamp_to_minutes"),
            ("getSeconds", "timestamp_to_seconds"), ("getMilliseconds", "timestamp_to_milliseconds"),
        })
        {
            Member(function, id, i, ts);
            Member(function, id + "_with_tz", i, ts, s);
        }

        foreach (var (function, id) in new[] { ("getHours", "duration_to_hours"), ("getMinutes", "duration_to_minutes"), ("getSeconds", "duration_to_seconds"), ("getMilliseconds", "duration_to_milliseconds") })
        {
            Member(function, id, i, du);
        }

        // Extended strings (the functions whose cost Kubernetes' estimator knows).
        Member("indexOf", "string_index_of_string", i, s, s);
        Member("indexOf", "string_index_of_string_int", i, s, s, i);
        Member("lastIndexOf", "string_last_index_of_string", i, s, s);
        Member("lastIndexOf", "string_last_index_of_string_int", i, s, s, i);
        Member("lowerAscii", "string_lower_ascii", s, s);
        Member("upperAscii", "string_upper_ascii", s, s);
        Member("replace", "string_replace_string_string", s, s, s, s);
        Member("replace", "string_replace_string_string_int", s, s, s, s, i);
        Member("split", "string_split_string", CelType.ListOf(s), s, s);
        Member("split", "string_split_string_int", CelType.ListOf(s), s, s, i);
        Member("substring", "string_substring_int", s, s, i);
        Member("substring", "string_substring_int_int", s, s, i, i);
        Member("trim", "string_trim", s, s);
        Member("join", "list_join", s, CelType.ListOf(s));
        Member("join", "list_join_string", s, CelType.ListOf(s), s);

        // Kubernetes lists and regex libraries.
        Member("isSorted", "list_is_sorted", b, ListA);
        Member("sum", "list_sum", A, ListA);
        Member("max", "list_max", A, ListA);
        Member("min", "list_min", A, ListA);
        Member("indexOf", "list_index_of", i, ListA, A);
        Member("lastIndexOf", "list_last_index_of", i, ListA, A);
        Member("find", "string_find", s, s, s);
        Member("findAll", "string_find_all", CelType.ListOf(s), s, s);
        Member("findAll", "string_find_all_n", CelType.ListOf(s), s, s, i);

        // Kubernetes IP and CIDR libraries (1.31+).
        var ip = CelType.Ip;
        var cidr = CelType.Cidr;
        Global("isIP", "is_ip", b, s);
        Global("ip", "string_to_ip", ip, s);
        Global("string", "ip_to_string", s, ip);
        Global("ip.isCanonical", "ip_is_canonical", b, s);
        Member("family", "ip_family", i, ip);
        Member("isUnspecified", "ip_is_unspecified", b, ip);
        Member("isLoopback", "ip_is_loopback", b, ip);
        Member("isLinkLocalMulticast", "ip_is_link_local_multicast", b, ip);
        Member("isLinkLocalUnicast", "ip_is_link_local_unicast", b, ip);
        Member("isGlobalUnicast", "ip_is_global_unicast", b, ip);
        Global("isCIDR", "is_cidr", b, s);
        Global("cidr", "string_to_cidr", cidr, s);
        Global("string", "cidr_to_string", s, cidr);
        Member("containsIP", "cidr_contains_ip_string", b, cidr, s);
        Member("containsIP", "cidr_contains_ip_ip", b, cidr, ip);
        Member("containsCIDR", "cidr_contains_cidr_string", b, cidr, s);
        Member("containsCIDR", "cidr_contains_cidr", b, cidr, cidr);
        Member("ip", "cidr_ip", ip, cidr);
        Member("prefixLength", "cidr_prefix_length", i, cidr);
        Member("masked", "cidr_masked", cidr, cidr);
        return table;
    }

    private static void Add(Dictionary<string, List<CelOverload>> table, CelOverload overload)
    {
        if (!table.TryGetValue(overload.Function, out var list))
        {
            table[overload.Function] = list = [];
        }

        list.Add(overload);
    }
}
