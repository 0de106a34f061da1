using System.Buffers.Binary;
using System.Text.Json.Nodes;

namespace Isrm.Model.Checkpoints;

/// <summary>One float32 tensor of a safetensors file: its shape and row-major values.</summary>
public sealed record NamedTensor(string Name, long[] Shape, float[] Values);

/// <summary>
/// The safetensors format, written by hand: an 8-byte little-endian header length, a JSON header naming each tensor's
/// dtype, shape and [begin, end) byte range in the data that follows (plus an optional <c>__metadata__</c> map of
/// strings), then the raw little-endian values. Only float32 (<c>F32</c>) is used: every weight of our models is.
/// </summary>
public static class SafeTensors
{
    private const string MetadataKey = "__metadata__";
    private const long MaxHeaderBytes = 100_000_000;

    /// <summary>Writes the tensors sorted by name (a stable byte layout for a given model) to <paramref name="path"/>.</summary>
    public static void Write(string path, IEnumerable<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        NamedTensor[] sorted = tensors.OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
            header[MetadataKey] = new JsonObject(metadata.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value))));
        long offset = 0;
        foreach (NamedTensor t in sorted)
        {
            if (t.Values.LongLength != t.Shape.Aggregate(1L, (a, b) => a * b))
                throw new ArgumentException($"tensor {t.Name} has {t.Values.LongLength} values for shape [{string.Join(", ", t.Shape)}].");
            long bytes = t.Values.LongLength * sizeof(float);
            header[t.Name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + bytes)),
            };
            offset += bytes;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;   // the data then starts 8-byte aligned
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
        stream.Write(length);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (NamedTensor t in sorted) stream.Write(LittleEndianBytes(t.Values));
    }

    /// <summary>Reads every tensor; throws <see cref="InvalidDataException"/> with one sentence for a malformed file.</summary>
    public static (IReadOnlyList<NamedTensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Read(string path)
    {
        byte[] file = File.ReadAllBytes(path);
        string name = Path.GetFileName(path);
        if (file.Length < 8) throw new InvalidDataException($"{name} is too short to be a safetensors file.");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(file);
        if (headerLength > (ulong)Math.Min(MaxHeaderBytes, file.Length - 8))
            throw new InvalidDataException($"{name} declares a {headerLength:N0}-byte header, more than the file holds.");
        long dataStart = 8 + (long)headerLength, dataLength = file.Length - dataStart;
        JsonObject header;
        try
        {
            header = JsonNode.Parse(Encoding.UTF8.GetString(file, 8, (int)headerLength))?.AsObject()
                ?? throw new InvalidDataException($"{name} has an empty header.");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InvalidDataException($"{name} has a header that is not a JSON object ({e.Message}).", e);
        }
        var metadata = new Dictionary<string, string>();
        var tensors = new List<NamedTensor>();
        foreach ((string key, JsonNode? node) in header)
        {
            if (key == MetadataKey)
            {
                foreach ((string mk, JsonNode? mv) in node?.AsObject() ?? []) metadata[mk] = mv?.GetValue<string>() ?? "";
                continue;
            }
            tensors.Add(ReadTensor(name, key, node, file, dataStart, dataLength));
        }
        return (tensors, metadata);
    }

    private static NamedTensor ReadTensor(string file, string key, JsonNode? node, byte[] bytes, long dataStart, long dataLength)
    {
        try
        {
            JsonObject entry = node!.AsObject();
            string dtype = entry["dtype"]!.GetValue<string>();
            if (dtype != "F32") throw new InvalidDataException($"{file}: tensor {key} is {dtype}; only F32 is read (convert with tensor.float()).");
            long[] shape = entry["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            long[] range = entry["data_offsets"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
            long count = shape.Aggregate(1L, (a, b) => a * b);
            if (range.Length != 2 || range[0] < 0 || range[1] > dataLength || range[1] - range[0] != count * sizeof(float) || shape.Any(s => s < 0))
                throw new InvalidDataException($"{file}: tensor {key} has data offsets that do not fit its shape or the file.");
            var values = new float[count];
            Span<byte> source = bytes.AsSpan((int)(dataStart + range[0]), (int)(range[1] - range[0]));
            if (BitConverter.IsLittleEndian) source.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
            else for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(source[(i * 4)..]);
            return new NamedTensor(key, shape, values);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or JsonException)
        {
            throw new InvalidDataException($"{file}: tensor {key} has no readable dtype, shape or data_offsets.", e);
        }
    }

    private static byte[] LittleEndianBytes(float[] values)
    {
        if (BitConverter.IsLittleEndian) return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return bytes;
    }
}
