namespace Isrm.Model.Recurrent;

/// <summary>
/// The Recurrent Latent Matrix (the RLM proposal, a design note given to the project; not in this repository): per token, a gated update of N neuron activations from
/// (previous activations, token embedding, previous read-out); a decayed synchronisation state
/// S_t = r ⊙ S_{t−1} + a_t[i] a_t[j] over P chosen neuron pairs (i, j), with r = sigmoid(θ) learned per pair;
/// the read-out is a learned projection of S_t normalised by its decayed weight Σ r^k. State: N + P + D floats.
/// </summary>
public sealed class RlmCore : RecurrentCore
{
    private readonly Linear input_gates;      // x_t → gate and candidate pre-activations (2N)
    private readonly Linear recurrent_gates;  // [a_{t−1}, o_{t−1}] → (2N), no bias (input_gates has it)
    private readonly Parameter decay_logit;   // θ (P): r = sigmoid(θ)
    private readonly Linear readout;          // normalised S_t (P) → o_t (D)
    private readonly Tensor left, right;      // neuron indices of each synchronised pair (P)
    private readonly int _neurons, _pairs, _width;

    public RlmCore(IsrmConfig config) : base(nameof(RlmCore))
    {
        _neurons = config.Neurons;
        _pairs = config.SyncPairs;
        _width = config.Width;
        input_gates = nn.Linear(_width, 2 * _neurons);
        recurrent_gates = nn.Linear(_neurons + _width, 2 * _neurons, hasBias: false);
        float mean = MathF.Log(config.SyncDecayInit / (1 - config.SyncDecayInit));
        // Decays spread over pairs so that some pairs remember for a few tokens and others for many (multi-timescale).
        decay_logit = new Parameter(linspace(mean - 1, mean + 1, _pairs));
        readout = nn.Linear(_pairs, _width);
        (long[] l, long[] r) = ChoosePairs(_neurons, _pairs);
        left = tensor(l).DetachFromDisposeScope();
        right = tensor(r).DetachFromDisposeScope();
        register_buffer(nameof(left), left, persistent: false);
        register_buffer(nameof(right), right, persistent: false);
        RegisterComponents();
    }

    /// <summary>P distinct pairs i ≤ j; fixed by (N, P) alone, so a checkpoint needs no index file.</summary>
    public static (long[] Left, long[] Right) ChoosePairs(int neurons, int pairs)
    {
        var all = new List<(long, long)>(neurons * (neurons + 1) / 2);
        for (int i = 0; i < neurons; i++)
            for (int j = i; j < neurons; j++) all.Add((i, j));
        var random = new Random(20240607);   // seeded System.Random is stable across .NET versions
        for (int k = all.Count - 1; k > 0; k--)
        {
            int m = random.Next(k + 1);
            (all[k], all[m]) = (all[m], all[k]);
        }
        var chosen = all.Take(pairs).OrderBy(p => p.Item1).ThenBy(p => p.Item2).ToArray();
        return (chosen.Select(p => p.Item1).ToArray(), chosen.Select(p => p.Item2).ToArray());
    }

    public override long StateFloats => _neurons + _pairs + _width;

    public override int AttendedPositions => 0;

    /// <summary>The learned decay r of every pair (P).</summary>
    public Tensor Decay() => sigmoid(decay_logit);

    public override Tensor[] InitialState(long batch, Device device) =>
    [
        zeros(batch, _neurons, device: device),   // a: activations
        zeros(batch, _pairs, device: device),     // S: synchronisation of the chosen pairs
        zeros(batch, _width, device: device),     // o: previous read-out
    ];

    public override (Tensor Outputs, Tensor[] State) Forward(Tensor x, Tensor[] state, int offset)
    {
        using var scope = NewDisposeScope();
        long t = x.shape[1];
        Tensor a = state[0], s = state[1], o = state[2];
        Tensor fromInput = input_gates.forward(x);                                   // (B, T, 2N), all tokens at once
        Tensor r = Decay();                                                          // (P)
        // Σ_{k<n} r^k = (1 − r^n)/(1 − r) for n = offset+1 … offset+T: the weight S_t has accumulated.
        Tensor n = HeldScalars.Range(offset + 1, offset + t + 1, float32, x.device).unsqueeze(1); // (T, 1)
        // r is clamped below 1 here only: at r = 1 in float32 the ratio is 0/0 (NaN), and just below 1 it is ≈ 1/n as it should be.
        Tensor rc = r.AtMost(1 - 1e-6);
        Tensor scale = (rc.SubtractedFrom(1) / rc.pow(n).SubtractedFrom(1)).sqrt();                        // (T, P)
        var outputs = new Tensor[t];
        for (int i = 0; i < t; i++)
        {
            using var step = NewDisposeScope();
            Tensor pre = fromInput.select(1, i).Plus(recurrent_gates.forward(cat(new[] { a, o }, -1))); // (B, 2N)
            Tensor gate = sigmoid(pre.narrow(-1, 0, _neurons));
            Tensor candidate = tanh(pre.narrow(-1, _neurons, _neurons));
            a = a.Plus(gate * (candidate - a));                                          // (B, N), stays in [−1, 1]
            s = (r * s).Plus(a.index_select(1, left) * a.index_select(1, right));          // (B, P)
            o = readout.forward(s * scale[i]);                                       // (B, D)
            a.MoveToOuterDisposeScope();
            s.MoveToOuterDisposeScope();
            outputs[i] = o.MoveToOuterDisposeScope();
        }
        Tensor all = stack(outputs, 1);                                              // (B, T, D)
        return (all.MoveToOuterDisposeScope(), [a.MoveToOuterDisposeScope(), s.MoveToOuterDisposeScope(), o.MoveToOuterDisposeScope()]);
    }
}
