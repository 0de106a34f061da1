namespace Isrm.Model.Data;

/// <summary>A train/validation split by document id, recorded as JSON so a trainer can store it next to its checkpoint.</summary>
public sealed record CorpusSplit
{
    public required int Seed { get; init; }
    public required double ValidationFraction { get; init; }
    public required IReadOnlyList<string> Train { get; init; }
    public required IReadOnlyList<string> Validation { get; init; }

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    internal static CorpusSplit Create(IReadOnlyList<CorpusDocument> documents, int seed, double validationFraction)
    {
        if (validationFraction is < 0 or >= 1 || double.IsNaN(validationFraction))
            throw new CorpusException($"The validation fraction {validationFraction} is outside [0, 1); pass a value such as 0.1.");
        var validation = new List<string>();
        // Each document's place comes from a hash of (seed, id), not from System.Random or file order, so the
        // split of a document never changes when other documents are added or the runtime changes.
        foreach (var genre in documents.GroupBy(d => d.Genre ?? "").OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            string[] ordered = genre.Select(d => d.Id).OrderBy(id => Rank(seed, id)).ThenBy(id => id, StringComparer.Ordinal).ToArray();
            validation.AddRange(ordered.Take((int)Math.Round(ordered.Length * validationFraction, MidpointRounding.AwayFromZero)));
        }
        if (validation.Count == 0 && validationFraction > 0 && documents.Count >= 2)
            validation.Add(documents.Select(d => d.Id).MinBy(id => Rank(seed, id))!);
        if (validation.Count == documents.Count && documents.Count > 0)
            throw new CorpusException($"A validation fraction of {validationFraction} leaves no training documents out of {documents.Count}; pass a smaller fraction.");
        var validationSet = validation.ToHashSet(StringComparer.Ordinal);
        return new CorpusSplit
        {
            Seed = seed,
            ValidationFraction = validationFraction,
            Train = documents.Select(d => d.Id).Where(id => !validationSet.Contains(id)).Order(StringComparer.Ordinal).ToList(),
            Validation = validation.Order(StringComparer.Ordinal).ToList(),
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public void Save(string path) => File.WriteAllText(path, ToJson() + "\n");

    public static CorpusSplit Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CorpusSplit>(File.ReadAllText(path), Json)
                ?? throw new JsonException("null");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new CorpusException($"{path} is not a readable corpus split; delete it so a new split is made.", e);
        }
    }

    private static ulong Rank(int seed, string id) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}\n{id}")));
}
