using System.CommandLine.Parsing;

namespace Isrm.Cli.Commands;

/// <summary>What values an option takes: a numeric range, or the kind of path it names.</summary>
internal abstract record OptionDomain
{
    /// <summary>A number from Min to Max (inclusive); 0 may be allowed even when Min is above it (an "off" value).</summary>
    public sealed record Range(double Min, double Max, bool Integer, bool ZeroMeansOff = false) : OptionDomain
    {
        public bool Allows(double value) => !double.IsNaN(value) && ((value >= Min && value <= Max) || (ZeroMeansOff && value == 0));
    }

    /// <summary>A path the command reads (it must exist and be of this kind) or writes (it must not be the other kind).</summary>
    public sealed record Path(PathKind Kind) : OptionDomain;

    /// <summary>A word or list that the command checks itself, in one sentence (e.g. <c>--k 1,8,inf</c>, <c>--family</c>).</summary>
    public sealed record Text(string Checker) : OptionDomain;

    /// <summary>A switch.</summary>
    public sealed record Flag : OptionDomain;
}

/// <summary>The kinds of path an option can name.</summary>
internal enum PathKind { InputFile, InputFolder, OutputFile, OutputFolder }

/// <summary>
/// Options declared with their domain, so that every value is checked at the edge, when the command line is parsed,
/// with one sentence that names the option, says what it takes and what it got (never the library's type names).
/// The domain of every option is kept here, so that a test can walk the command tree and check each one.
/// </summary>
internal static class CliOptions
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Option, OptionDomain> Domains = new();

    /// <summary>Declares a repeatable path option (its validator is its own) as reading paths of <paramref name="kind"/>.</summary>
    public static Option<string[]> Paths(Option<string[]> option, PathKind kind)
    {
        option.Validators.Add(r =>
        {
            foreach (string path in r.GetValueOrDefault<string[]>() ?? [])
                if (PathProblem(option.Name, path, kind) is string problem) { r.AddError(problem); return; }
        });
        return Declare(option, new OptionDomain.Path(kind));
    }

    /// <summary>The declared domain of <paramref name="option"/>, or null when it was made without one.</summary>
    public static OptionDomain? DomainOf(Option option) => Domains.TryGetValue(option, out OptionDomain? d) ? d : null;

    internal static T Declare<T>(T option, OptionDomain domain) where T : Option
    {
        if (domain is OptionDomain.Range r)   // --help shows what the option takes
            option.Description += $" [{Show(r.Min)}…{Show(r.Max)}{(r.ZeroMeansOff ? ", or 0" : "")}]";
        Domains.AddOrUpdate(option, domain);
        return option;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>; <paramref name="zeroMeansOff"/> also allows 0.</summary>
    public static Option<int> Int(string name, string description, int min, int max, int defaultValue, bool zeroMeansOff = false, params string[] aliases)
    {
        var option = new Option<int>(name, aliases) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = r => (int)ParseNumber(r, name, min, max, integer: true, zeroMeansOff);
        return Declare(option, new OptionDomain.Range(min, max, true, zeroMeansOff));
    }

    /// <summary>As <see cref="Int"/>, with no value when not given.</summary>
    public static Option<int?> OptionalInt(string name, string description, int min, int max, bool zeroMeansOff = false)
    {
        var option = new Option<int?>(name) { Description = description };
        option.CustomParser = r => (int)ParseNumber(r, name, min, max, integer: true, zeroMeansOff);
        return Declare(option, new OptionDomain.Range(min, max, true, zeroMeansOff));
    }

    /// <summary>A finite real number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Option<double> Real(string name, string description, double min, double max, double defaultValue, bool zeroMeansOff = false)
    {
        var option = new Option<double>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = r => ParseNumber(r, name, min, max, integer: false, zeroMeansOff);
        return Declare(option, new OptionDomain.Range(min, max, false, zeroMeansOff));
    }

    /// <summary>As <see cref="Real"/>, in single precision.</summary>
    public static Option<float> Single(string name, string description, double min, double max, float defaultValue, bool zeroMeansOff = false)
    {
        var option = new Option<float>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = r => (float)ParseNumber(r, name, min, max, integer: false, zeroMeansOff);
        return Declare(option, new OptionDomain.Range(min, max, false, zeroMeansOff));
    }

    /// <summary>As <see cref="Single"/>, with no value when not given.</summary>
    public static Option<float?> OptionalSingle(string name, string description, double min, double max)
    {
        var option = new Option<float?>(name) { Description = description };
        option.CustomParser = r => (float)ParseNumber(r, name, min, max, integer: false, zeroMeansOff: false);
        return Declare(option, new OptionDomain.Range(min, max, false));
    }

    /// <summary>A seed: any whole number from 0 to 2³¹ − 1.</summary>
    public static Option<int> Seed(string description, int defaultValue = 1) =>
        Int("--seed", description, 0, int.MaxValue, defaultValue);

    /// <summary>A 64-bit seed (sampling): any whole number from 0 to 2⁶³ − 1.</summary>
    public static Option<ulong> LongSeed(string description, ulong defaultValue = 1)
    {
        var option = new Option<ulong>("--seed") { Description = description, DefaultValueFactory = _ => defaultValue };
        option.CustomParser = r => (ulong)ParseNumber(r, "--seed", 0, long.MaxValue, integer: true, zeroMeansOff: false);
        return Declare(option, new OptionDomain.Range(0, long.MaxValue, true));
    }

    /// <summary>TorchSharp intra-op threads: 1 to 256 (0 or less would abort inside libtorch).</summary>
    public static Option<int> Threads(int defaultValue, string description = "TorchSharp intra-op threads (1 is robust on a shared machine)") =>
        Int("--threads", description, 1, 256, defaultValue);

    /// <summary>A path the command reads or writes, checked for its kind at parse time.</summary>
    public static Option<string> Path(string name, string description, PathKind kind, bool required = false, string? defaultValue = null, params string[] aliases)
    {
        var option = new Option<string>(name, aliases) { Description = description, Required = required };
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue;
        option.Validators.Add(result =>
        {
            if (result.Implicit) return;
            string? value = result.GetValueOrDefault<string>();
            if (PathProblem(name, value, kind) is string problem) result.AddError(problem);
        });
        return Declare(option, new OptionDomain.Path(kind));
    }

    /// <summary>An optional path (null when not given).</summary>
    public static Option<string?> OptionalPath(string name, string description, PathKind kind)
    {
        var option = new Option<string?>(name) { Description = description };
        option.Validators.Add(result =>
        {
            if (result.Implicit) return;
            if (PathProblem(name, result.GetValueOrDefault<string?>(), kind) is string problem) result.AddError(problem);
        });
        return Declare(option, new OptionDomain.Path(kind));
    }

    /// <summary>The checkpoint folder a command reads.</summary>
    public static Option<string> Checkpoint(string description = "Checkpoint folder to read") =>
        Path("--checkpoint", description, PathKind.InputFolder, required: true);

    /// <summary>
    /// <c>--json [FILE]</c>, the same on every command: machine-readable output written to FILE, or, given alone (or
    /// as <c>-</c>), printed on stdout as JSON lines with prose on stderr.
    /// </summary>
    public static Option<string?> Json(string what)
    {
        var option = new Option<string?>("--json")
        {
            Description = $"Machine-readable output ({what}): to FILE, or with no FILE (or -) as JSON lines on stdout",
            Arity = ArgumentArity.ZeroOrOne,
        };
        option.Validators.Add(result =>
        {
            string? value = result.GetValueOrDefault<string?>();
            if (value is null or "-") return;
            if (PathProblem("--json", value, PathKind.OutputFile) is string problem) result.AddError(problem);
        });
        return Declare(option, new OptionDomain.Path(PathKind.OutputFile));
    }

    /// <summary>True when <c>--json</c> was given; <paramref name="file"/> is null when the output goes to stdout.</summary>
    public static bool JsonWanted(ParseResult parse, Option<string?> json, out string? file)
    {
        file = parse.GetValue(json);
        if (file == "-") file = null;
        return parse.GetResult(json) is { Implicit: false };
    }

    /// <summary>
    /// As <see cref="JsonWanted(ParseResult, Option{string?}, out string?)"/>, and a <c>--json</c> file is checked
    /// before the command works (it may not replace an existing file unless <paramref name="replace"/>).
    /// </summary>
    public static bool JsonWanted(ParseResult parse, Option<string?> json, bool replace, out string? file)
    {
        bool wanted = JsonWanted(parse, json, out file);
        if (file is not null) OutputGuard.File(file, replace, "--json");
        return wanted;
    }

    /// <summary><c>--force</c>: allow a command to replace an output that exists.</summary>
    public static Option<bool> Force(string what = "the output") =>
        Declare(new Option<bool>("--force") { Description = $"Allow replacing {what} (without it, an output that exists is never overwritten)" }, new OptionDomain.Flag());

    /// <summary>A switch.</summary>
    public static Option<bool> Flag(string name, string description) =>
        Declare(new Option<bool>(name) { Description = description }, new OptionDomain.Flag());

    /// <summary>A true / false setting that is left to the config when not given (<c>--state-norm false</c>).</summary>
    public static Option<bool?> Switch(string name, string description) =>
        Declare(new Option<bool?>(name) { Description = description }, new OptionDomain.Flag());

    /// <summary>As <see cref="Real"/>, with no value when not given.</summary>
    public static Option<double?> OptionalReal(string name, string description, double min, double max)
    {
        var option = new Option<double?>(name) { Description = description };
        option.CustomParser = r => ParseNumber(r, name, min, max, integer: false, zeroMeansOff: false);
        return Declare(option, new OptionDomain.Range(min, max, false));
    }

    /// <summary>A word or list the command checks itself (one sentence naming <paramref name="name"/>).</summary>
    public static Option<string> Text(string name, string description, string? defaultValue = null, bool required = false, params string[] aliases)
    {
        var option = new Option<string>(name, aliases) { Description = description, Required = required };
        if (defaultValue is not null) option.DefaultValueFactory = _ => defaultValue;
        option.Validators.Add(result =>
        {
            if (result.Implicit) return;
            string? value = result.GetValueOrDefault<string>();
            if (value is not null && HasControl(value)) result.AddError($"{name} holds control characters ({Shown(value)}).");
        });
        return Declare(option, new OptionDomain.Text(description));
    }

    /// <summary>As <see cref="Text"/>, with no value when not given.</summary>
    public static Option<string?> OptionalText(string name, string description)
    {
        var option = new Option<string?>(name) { Description = description };
        return Declare(option, new OptionDomain.Text(description));
    }

    /// <summary>A K, or a list of K values: checked against the cap by <see cref="Isrm.Model.Refinement.RefinementDepth"/> in one sentence.</summary>
    public static Option<string> Depth(string description, string defaultValue, params string[] aliases) =>
        Text("--k", description, defaultValue, false, aliases);

    /// <summary>The cap of K = ∞ (and of any K): one name on every command, with the older names as aliases.</summary>
    public static Option<int> Cap(int defaultValue, int max = 1 << 20) =>
        Int("--cap", "Most refinement steps for K = inf (and the largest K allowed)", 1, max, defaultValue, false, "--max-loops", "--inf-cap");

    /// <summary>Why <paramref name="value"/> is not a usable path of this kind, in one sentence; null when it is.</summary>
    public static string? PathProblem(string name, string? value, PathKind kind)
    {
        if (string.IsNullOrWhiteSpace(value)) return $"{name} needs a path.";
        if (HasControl(value)) return $"{name} holds control characters ({Shown(value)}).";
        bool file = File.Exists(value), folder = Directory.Exists(value);
        return kind switch
        {
            PathKind.InputFile when folder => $"{name} '{value}' is a folder; it takes a file.",
            PathKind.InputFile when !file => $"{name} '{value}' does not exist.",
            PathKind.InputFolder when file => $"{name} '{value}' is a file; it takes a folder.",
            PathKind.InputFolder when !folder => $"{name} '{value}' does not exist.",
            PathKind.OutputFile when folder => $"{name} '{value}' is a folder; it takes a file to write.",
            PathKind.OutputFolder when file => $"{name} '{value}' is a file; it takes a folder to write.",
            _ => null,
        };
    }

    /// <summary>Text as it may be echoed: control characters escaped (\u0001), cut to 60 characters.</summary>
    public static string Shown(string text) => Escaped(text.Length > 60 ? text[..60] + "…" : text);

    private static bool HasControl(string text) => text.Any(char.IsControl);

    private static string Escaped(string text)
    {
        var shown = new StringBuilder();
        foreach (char c in text) shown.Append(char.IsControl(c) ? $"\\u{(int)c:X4}" : c);
        return shown.ToString();
    }

    private static double ParseNumber(ArgumentResult result, string name, double min, double max, bool integer, bool zeroMeansOff)
    {
        if (result.Tokens.Count == 0) { result.AddError($"{name} needs a value."); return 0; }
        string text = result.Tokens[^1].Value;
        string range = $"{(integer ? "a whole number" : "a number")} from {Show(min)} to {Show(max)}{(zeroMeansOff ? " (or 0 for off)" : "")}";
        double value = integer
            ? (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole) ? whole : double.NaN)
            : (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) ? real : double.NaN);
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            result.AddError($"{name} must be {range} (got '{Shown(text)}').");
            return 0;
        }
        var domain = new OptionDomain.Range(min, max, integer, zeroMeansOff);
        if (!domain.Allows(value))
        {
            result.AddError($"{name} must be {range} (got {Shown(text)}).");
            return 0;
        }
        return value;
    }

    private static string Show(double value) => value switch
    {
        int.MaxValue => "2147483647",
        long.MaxValue => "9223372036854775807",
        _ => value.ToString(Math.Abs(value) >= 10_000 && value == Math.Floor(value) ? "N0" : "G", CultureInfo.InvariantCulture).Replace("E", "e"),
    };
}
