namespace Isrm.Tests.Model.Checkpoints;

/// <summary>Safetensors export and import: the byte layout, a lossless round trip, and one-sentence errors.</summary>
public sealed class SafeTensorsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void The_file_is_a_header_length_a_json_header_and_little_endian_floats_in_name_order()
    {
        string path = _folder.Combine("two.safetensors");
        SafeTensors.Write(path, [new NamedTensor("b", [2], [1.5f, -2f]), new NamedTensor("a", [1, 1], [0.25f])], new Dictionary<string, string> { ["format"] = "pt" });
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        string header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)headerLength).TrimEnd(' ');
        Assert.Equal(0, headerLength % 8);
        Assert.Equal("""{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[1,1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", header);
        Assert.Equal(8 + headerLength + 12, bytes.Length);
        Assert.Equal(0.25f, BitConverter.ToSingle(bytes, (int)(8 + headerLength)));
        Assert.Equal(-2f, BitConverter.ToSingle(bytes, (int)(8 + headerLength + 8)));

        var (tensors, metadata) = SafeTensors.Read(path);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal([1.5f, -2f], tensors.Single(t => t.Name == "b").Values);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Export_then_import_gives_bit_identical_weights_and_a_safetensors_only_folder_loads(int latent)
    {
        string original = _folder.Combine("original"), exported = _folder.Combine("exported"), back = _folder.Combine("back");
        TinyModels.SaveCheckpoint(original, TinyModels.Config(latent) with { InitialState = InitialStateKind.Learned });
        CheckpointExchange.Export(original, exported);
        Assert.False(File.Exists(Path.Combine(exported, Checkpoint.WeightsFile)));
        CheckpointExchange.Import(exported, back, "test");

        using LoadedCheckpoint a = Checkpoint.Load(original, CPU), b = Checkpoint.Load(exported, CPU), c = Checkpoint.Load(back, CPU);
        Dictionary<string, Tensor> sa = a.Model.state_dict(), sb = b.Model.state_dict(), sc = c.Model.state_dict();
        Assert.Equal(sa.Keys.Order(), sb.Keys.Order());
        foreach (string name in sa.Keys)
        {
            Assert.True(sa[name].equal(sb[name]).all().item<bool>(), name);
            Assert.True(sa[name].equal(sc[name]).all().item<bool>(), name);
        }
        Assert.True(File.Exists(Path.Combine(back, Checkpoint.WeightsFile)));
    }

    [Fact]
    public void Export_in_place_puts_model_safetensors_beside_model_bin_and_records_its_hash()
    {
        string dir = _folder.Combine("ckpt");
        TinyModels.SaveCheckpoint(dir);
        string written = CheckpointExchange.Export(dir);
        Assert.Equal(Path.Combine(dir, Checkpoint.SafeTensorsFile), written);
        CheckpointMetadata m = Checkpoint.Inspect(dir).Metadata;
        Assert.Equal(new FileInfo(written).Length, m.SafetensorsBytes);
        Assert.Equal(64, m.SafetensorsSha256.Length);
        File.Delete(Path.Combine(dir, Checkpoint.WeightsFile));   // now only the safetensors remain
        using LoadedCheckpoint loaded = Checkpoint.Load(dir, CPU);
        Assert.Equal(m.ParameterCount, loaded.Model.ParameterCount);
    }

    [Fact]
    public void A_corrupt_or_unrecorded_or_misshapen_safetensors_is_one_sentence()
    {
        string dir = _folder.Combine("ckpt"), exported = _folder.Combine("exported");
        TinyModels.SaveCheckpoint(dir);
        CheckpointExchange.Export(dir, exported);
        string weights = Path.Combine(exported, Checkpoint.SafeTensorsFile);
        byte[] bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(weights, bytes);
        var corrupt = Assert.Throws<CheckpointException>(() => Checkpoint.Load(exported, CPU));
        Assert.Contains("does not match its recorded SHA-256", corrupt.Message);

        // A file made elsewhere for a different config: import names the tensor and both shapes.
        string foreign = _folder.Combine("foreign");
        Directory.CreateDirectory(foreign);
        IsrmConfig wider = TinyModels.Config() with { Width = 60 };
        using (var model = TinyModels.Create(wider))
            SafeTensors.Write(Path.Combine(foreign, Checkpoint.SafeTensorsFile), SafeTensorWeights.From(model));
        File.WriteAllText(Path.Combine(foreign, Checkpoint.ConfigFile), TinyModels.Config().ToJson());
        var misshapen = Assert.Throws<CheckpointException>(() => CheckpointExchange.Import(foreign, _folder.Combine("x"), "test"));
        Assert.Matches(@"has '[a-z_.0-9]+' of shape \[\d+(, \d+)*\] where its config.json's model needs \[\d+(, \d+)*\]\.$", misshapen.Message);

        File.WriteAllBytes(Path.Combine(foreign, Checkpoint.SafeTensorsFile), [1, 2, 3]);
        var truncated = Assert.Throws<CheckpointException>(() => CheckpointExchange.Import(foreign, _folder.Combine("y"), "test"));
        Assert.Contains("too short to be a safetensors file", truncated.Message);
    }
}
