namespace Isrm.Model.Training;

/// <summary>
/// An exponential moving average of a model's weights (EMA). The checkpoint's weights are the average, so every reader
/// (eval, the web app) uses it; the raw trained weights are kept beside them in <see cref="RawFile"/> for exact resume.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    public const string RawFile = "raw-weights.bin";

    private readonly Parameter[] _parameters;
    private readonly Tensor[] _average;
    private readonly double _decay;

    /// <summary>Starts the average at the model's current weights.</summary>
    public WeightAverage(IsrmModel model, double decay)
    {
        if (decay is <= 0 or >= 1) throw new ArgumentException("--ema must be in (0, 1), e.g. 0.99, or 0 for none.");
        _decay = decay;
        _parameters = model.parameters().ToArray();
        using (no_grad()) _average = _parameters.Select(p => p.detach().clone().DetachFromDisposeScope()).ToArray();
    }

    /// <summary>average ← d·average + (1 − d)·weights, with d = min(decay, (1 + step) / (10 + step)) so early steps are not frozen in.</summary>
    public void Update(int step)
    {
        double d = Math.Min(_decay, (1.0 + step) / (10.0 + step));
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++) _average[i].mul_(d).add_(_parameters[i], alpha: 1 - d);
    }

    /// <summary>Puts the average into the model (and the raw weights aside) until the result is disposed.</summary>
    public IDisposable Swapped()
    {
        Swap();
        return new SwapBack(this);
    }

    private void Swap()
    {
        using var noGrad = no_grad();
        for (int i = 0; i < _parameters.Length; i++)
        {
            using Tensor raw = _parameters[i].detach().clone();
            _parameters[i].copy_(_average[i]);
            _average[i].copy_(raw);
        }
    }

    /// <summary>While swapped: writes the raw weights (held aside) to <paramref name="path"/>.</summary>
    public void SaveRaw(string path)
    {
        using var writer = new BinaryWriter(File.Create(path));
        foreach (Tensor t in _average) t.Save(writer);
    }

    /// <summary>After a resume, whose model holds the average: loads the raw weights from <paramref name="path"/> into it.</summary>
    public void LoadRaw(string path)
    {
        if (!File.Exists(path)) throw new ArgumentException($"{path} is missing: this run was saved without its raw weights and cannot resume with --ema.");
        using var reader = new BinaryReader(File.OpenRead(path));
        using var noGrad = no_grad();
        foreach (Parameter p in _parameters) p.Load(reader);
    }

    private sealed class SwapBack(WeightAverage owner) : IDisposable
    {
        private bool _done;
        public void Dispose()
        {
            if (_done) return;
            _done = true;
            owner.Swap();
        }
    }

    public void Dispose()
    {
        foreach (Tensor t in _average) t.Dispose();
    }
}
