using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Isrm.Research.Commands;

/// <summary>
/// <c>isrm-research table SPEC</c>: writes one markdown table of measured figures from committed JSON results, as a
/// table spec says. The spec (JSON) names its sources and holds the table's header and rows; every cell is text with
/// placeholders that read the sources, so no figure of the table is typed by hand:
/// <list type="bullet">
/// <item><c>{src:path}</c> or <c>{src:path|F4}</c>: one value. A path is dot-separated steps: a property name, an
/// index <c>[2]</c>, or a filter <c>[key=value,key=value]</c> that keeps the elements of an array whose properties
/// have those values (as text). A path that matches no value, or several where one is needed, is an error.</item>
/// <item><c>{=func FORMAT arg arg …}</c>: a figure computed from the values of its arguments (each <c>src:path</c>,
/// which may match several values): <c>min</c>, <c>max</c>, <c>mean</c>, <c>sd</c>, <c>meansd</c> (mean ± sd),
/// <c>sum</c>, <c>count</c>, <c>diff</c> (first − second), <c>ratio</c> (first ÷ second), <c>wilson</c> (successes, n → the 95 %
/// Wilson interval in per cent, "lo–hi"), <c>paired</c> (values A … <c>;</c> values B …, in pairs: mean of A − B with
/// its 95 % t-interval), <c>argmin</c> / <c>argmax</c> (<c>src:path-to-elements valueKey labelKey</c>: the label of
/// the element with the least / most value).</item>
/// </list>
/// Formats: <c>F0</c>…<c>F6</c> (fixed decimals), <c>N0</c> (thousands separated by commas), <c>E1</c>…<c>E3</c>
/// (like 7.77e+13), <c>P0</c>…<c>P2</c> (× 100, without the sign), <c>raw</c> (the JSON text); <c>FORMAT/N</c>
/// divides by N first (<c>F1/60</c>: seconds as minutes). Without a format a number is written as JSON has it.
/// </summary>
internal static partial class TableCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "The table spec (JSON: sources, header, rows)" };
        var command = new Command("table", "Write one markdown table of measured figures from committed JSON results, as a table spec says (docs/cli.md: the spec's form)");
        command.Arguments.Add(spec);
        command.SetAction(parse => UserError.Guard(() =>
        {
            Console.Write(Render(parse.GetValue(spec)!));
            return 0;
        }));
        return command;
    }

    /// <summary>The spec's table as markdown (header, separator, rows), every placeholder read from its sources.</summary>
    public static string Render(string specFile)
    {
        if (!File.Exists(specFile)) throw new ArgumentException($"The table spec '{specFile}' does not exist.");
        JsonNode spec;
        try { spec = JsonNode.Parse(File.ReadAllText(specFile)) ?? throw new JsonException("empty"); }
        catch (JsonException e) { throw new ArgumentException($"{specFile} is not a table spec: {e.Message.ReplaceLineEndings(" ")}"); }
        string[] header = Strings(spec["header"], specFile, "header");
        var rows = spec["rows"] as JsonArray ?? throw new ArgumentException($"{specFile} has no \"rows\" (an array of rows, each an array of cells).");
        var sources = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        if (spec["sources"] is JsonObject named)
            foreach (var (name, path) in named)
            {
                string file = path?.GetValue<string>() ?? throw new ArgumentException($"{specFile}: source '{name}' names no file.");
                if (!File.Exists(file)) throw new ArgumentException($"{specFile}: source '{name}' is {file}, which does not exist.");
                try { sources[name] = Read(file); }
                catch (JsonException e) { throw new ArgumentException($"{specFile}: source '{name}' ({file}) is not JSON: {e.Message.ReplaceLineEndings(" ")}"); }
            }

        var text = new StringBuilder();
        text.Append("| ").Append(string.Join(" | ", header)).Append(" |\n");
        text.Append('|').Append(string.Concat(header.Select(_ => " --- |"))).Append('\n');
        int r = 0;
        foreach (JsonNode? row in rows)
        {
            r++;
            string[] cells = Strings(row, specFile, $"row {r}");
            if (cells.Length != header.Length) throw new ArgumentException($"{specFile}: row {r} has {cells.Length} cells; the header has {header.Length}.");
            text.Append("| ").Append(string.Join(" | ", cells.Select(c => Fill(c, sources, $"{specFile}, row {r}")))).Append(" |\n");
        }
        if (spec["note"]?.GetValue<string>() is string note) text.Append('\n').Append(Fill(note, sources, $"{specFile}, note")).Append('\n');
        return text.ToString();
    }

    private static string[] Strings(JsonNode? node, string file, string what) =>
        node is JsonArray array ? array.Select(c => c?.GetValue<string>() ?? "").ToArray()
            : throw new ArgumentException($"{file}: the {what} must be an array of strings.");

    [GeneratedRegex(@"\{(?<body>[^{}]+)\}")]
    private static partial Regex Placeholder();

    /// <summary>A cell with every placeholder replaced by its figure.</summary>
    public static string Fill(string cell, IReadOnlyDictionary<string, JsonNode?> sources, string where) =>
        Placeholder().Replace(cell, m =>
        {
            string body = m.Groups["body"].Value.Trim();
            try
            {
                return body.StartsWith('=') ? Compute(body[1..], sources) : Single(body, sources);
            }
            catch (ArgumentException e) { throw new ArgumentException($"{where}: {{{body}}}: {e.Message}"); }
        });

    private static string Single(string body, IReadOnlyDictionary<string, JsonNode?> sources)
    {
        int bar = body.LastIndexOf('|');
        string format = bar < 0 ? "" : body[(bar + 1)..].Trim();
        List<JsonNode?> values = Select(bar < 0 ? body : body[..bar], sources);
        if (values.Count != 1) throw new ArgumentException($"the path matches {values.Count} values; a cell needs one.");
        JsonNode? value = values[0];
        if (value is JsonValue v && v.TryGetValue(out double number)) return Format(number, format);
        if (value is JsonValue s && s.TryGetValue(out string? textValue))
            return double.TryParse(textValue, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && format is not ("" or "raw")
                ? Format(parsed, format) : textValue;
        return value?.ToJsonString() ?? "null";
    }

    private static string Compute(string body, IReadOnlyDictionary<string, JsonNode?> sources)
    {
        string[] words = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 3) throw new ArgumentException("a computed figure is {=func FORMAT arg …}.");
        string func = words[0], format = words[1];
        string[] args = words[2..];
        double[] All(IEnumerable<string> paths) => paths.SelectMany(p => Select(p, sources)).Select(Number).ToArray();
        switch (func)
        {
            case "min": return Format(All(args).Min(), format);
            case "max": return Format(All(args).Max(), format);
            case "mean": return Format(All(args).Average(), format);
            case "sum": return Format(All(args).Sum(), format);
            case "sd": return Format(Sd(All(args)), format);
            case "count": return All(args).Length.ToString(CultureInfo.InvariantCulture);
            case "meansd":
            {
                double[] x = All(args);
                return $"{Format(x.Average(), format)} ± {Format(Sd(x), format)}";
            }
            case "diff" or "ratio":
            {
                if (args.Length != 2) throw new ArgumentException($"{func} takes two values.");
                double a = One(args[0]), b = One(args[1]);
                return Format(func == "diff" ? a - b : a / b, format);
            }
            case "wilson":
            {
                // successes and n; each side may add several values up (the parts of one measurement), joined by '+'
                if (args.Length != 2) throw new ArgumentException("wilson takes successes and n.");
                double Total(string side) => side.Split('+').Sum(part => One(part));
                var (low, high) = PairedInterval.Wilson((int)Math.Round(Total(args[0])), (int)Math.Round(Total(args[1])));
                return $"{Format(low, format)}–{Format(high, format)}";
            }
            case "paired":
            {
                int split = Array.IndexOf(args, ";");
                if (split < 0) throw new ArgumentException("paired takes values A … ; values B ….");
                double[] a = All(args[..split]), b = All(args[(split + 1)..]);
                if (a.Length != b.Length) throw new ArgumentException($"paired needs as many A values as B values (got {a.Length} and {b.Length}).");
                var summary = PairedInterval.Of(a.Zip(b, (x, y) => x - y).ToArray());
                return $"{Format(summary.Mean, format)} (95 % {Format(summary.TLow, format)} to {Format(summary.THigh, format)}, n = {summary.Count})";
            }
            case "argmin" or "argmax":
            {
                if (args.Length != 3) throw new ArgumentException($"{func} takes src:path-to-elements valueKey labelKey.");
                var elements = Select(args[0], sources);
                if (elements.Count == 0) throw new ArgumentException("the path matches no elements.");
                var scored = elements.Select(e => (Value: Number(e?[args[1]]), Label: e?[args[2]])).ToList();
                var best = func == "argmin" ? scored.MinBy(s => s.Value) : scored.MaxBy(s => s.Value);
                return best.Label is JsonValue label && label.TryGetValue(out double n) && format != "raw" ? Format(n, format) : best.Label?.ToString() ?? "null";
            }
            default: throw new ArgumentException($"unknown function '{func}'; the functions are min, max, mean, sum, sd, meansd, count, diff, ratio, wilson, paired, argmin, argmax.");
        }

        double One(string path)
        {
            var values = Select(path, sources);
            return values.Count == 1 ? Number(values[0]) : throw new ArgumentException($"'{path}' matches {values.Count} values; {func} needs one.");
        }
    }

    private static double Sd(double[] x)
    {
        if (x.Length < 2) throw new ArgumentException("a standard deviation needs at least two values.");
        double mean = x.Average();
        return Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / (x.Length - 1));
    }

    private static double Number(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue(out double d) => d,
        JsonValue v when v.TryGetValue(out string? s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double p) => p,
        _ => throw new ArgumentException($"'{node?.ToJsonString() ?? "null"}' is not a number."),
    };

    [GeneratedRegex(@"^(?<name>[^\[\]]*)(?<index>(\[[^\]]*\])*)$")]
    private static partial Regex Step();

    /// <summary>Every value that <c>src:path</c> names.</summary>
    public static List<JsonNode?> Select(string reference, IReadOnlyDictionary<string, JsonNode?> sources)
    {
        int colon = reference.IndexOf(':');
        if (colon <= 0) throw new ArgumentException($"'{reference}' is not src:path.");
        string source = reference[..colon];
        if (!sources.TryGetValue(source, out JsonNode? root)) throw new ArgumentException($"no source named '{source}'; the sources are {string.Join(", ", sources.Keys)}.");
        var current = new List<JsonNode?> { root };
        foreach (string step in SplitSteps(reference[(colon + 1)..]))
        {
            Match m = Step().Match(step);
            if (!m.Success) throw new ArgumentException($"'{step}' is not a path step.");
            string name = m.Groups["name"].Value;
            if (name.Length > 0)
                current = current.Select(n => n is JsonObject o && o.TryGetPropertyValue(name, out JsonNode? child) ? child : throw new ArgumentException($"no property '{name}' at '{step}'.")).ToList();
            foreach (Match bracket in Regex.Matches(m.Groups["index"].Value, @"\[([^\]]*)\]"))
            {
                string inside = bracket.Groups[1].Value;
                if (Slice().Match(inside) is { Success: true } slice)
                {
                    // [a:b]: elements a … b − 1, either end may be left out or count from the end ([-50:]: the last 50)
                    current = current.SelectMany(n => n is JsonArray a ? a.Take(Range(slice, a.Count)) : throw new ArgumentException($"a slice [{inside}] needs an array.")).ToList();
                    continue;
                }
                current = int.TryParse(inside, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int index)
                    ? current.Select(n => n is JsonArray a && (index < 0 ? a.Count + index : index) is int at && at >= 0 && at < a.Count
                        ? a[at] : throw new ArgumentException($"no element [{index}].")).ToList()   // [-1]: the last
                    : current.SelectMany(n => Filter(n, inside)).ToList();
            }
        }
        return current;
    }

    [GeneratedRegex(@"^\s*(?<from>-?\d+)?\s*:\s*(?<to>-?\d+)?\s*$")]
    private static partial Regex Slice();

    private static Range Range(Match slice, int count)
    {
        int End(string group, int missing) =>
            slice.Groups[group].Success ? Math.Clamp(int.Parse(slice.Groups[group].Value, CultureInfo.InvariantCulture) is int v && v < 0 ? count + v : v, 0, count) : missing;
        int from = End("from", 0), to = End("to", count);
        return from..Math.Max(from, to);
    }

    // A JSON file, or JSON lines (.jsonl: one object a line, as a trainer's metrics.jsonl) read as one array.
    private static JsonNode? Read(string file)
    {
        var options = new JsonDocumentOptions { AllowTrailingCommas = true };
        if (!file.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase)) return JsonNode.Parse(File.ReadAllText(file), documentOptions: options);
        return new JsonArray(File.ReadLines(file).Where(line => line.Trim().Length > 0).Select(line => JsonNode.Parse(line, documentOptions: options)).ToArray());
    }

    // Steps are separated by dots outside brackets (a filter's value may hold a dot, as in k=0.5).
    private static IEnumerable<string> SplitSteps(string path)
    {
        int depth = 0, start = 0;
        for (int i = 0; i < path.Length; i++)
        {
            if (path[i] == '[') depth++;
            else if (path[i] == ']') depth--;
            else if (path[i] == '.' && depth == 0)
            {
                if (i > start) yield return path[start..i];
                start = i + 1;
            }
        }
        if (start < path.Length) yield return path[start..];
    }

    private static IEnumerable<JsonNode?> Filter(JsonNode? node, string conditions)
    {
        if (node is not JsonArray array) throw new ArgumentException($"a filter [{conditions}] needs an array.");
        var pairs = conditions.Split(',').Select(c => c.Split('=', 2)).ToArray();
        if (pairs.Any(p => p.Length != 2)) throw new ArgumentException($"a filter is [key=value,…]; got [{conditions}].");
        return array.Where(e => e is JsonObject o && pairs.All(p => o.TryGetPropertyValue(p[0], out JsonNode? v) && Text(v) == p[1]));
    }

    private static string Text(JsonNode? v) => v switch
    {
        null => "null",
        JsonValue value when value.TryGetValue(out string? s) => s,
        _ => v.ToJsonString(),
    };

    /// <summary>A number in one of the spec's formats; <c>FORMAT/N</c> divides by N first (seconds as minutes: <c>F1/60</c>).</summary>
    public static string Format(double value, string format)
    {
        int slash = format.IndexOf('/');
        if (slash >= 0)
        {
            if (!double.TryParse(format[(slash + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double divisor) || divisor == 0)
                throw new ArgumentException($"'{format}' divides by '{format[(slash + 1)..]}', which is not a number other than 0.");
            return Format(value / divisor, format[..slash]);
        }
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "∞" : "−∞";
        var c = CultureInfo.InvariantCulture;
        string result = format switch
        {
            "" or "raw" => value.ToString("R", c),
            ['F', char d] when char.IsDigit(d) => value.ToString("F" + d, c),
            "N0" => value.ToString("N0", c),
            ['E', char d] when char.IsDigit(d) => value.ToString("0." + new string('0', d - '0') + "e+00", c),
            ['P', char d] when char.IsDigit(d) => (value * 100).ToString("F" + d, c),
            _ => throw new ArgumentException($"unknown format '{format}'; the formats are F0…F6, N0, E1…E3, P0…P2, raw."),
        };
        // −0.0000 reads as a figure with a sign it does not have
        return result.StartsWith('-') && double.Parse(result.Replace(",", ""), NumberStyles.Float, c) == 0 ? result[1..] : result;
    }
}
