import Engine

/// E3D-LSTM's RECALL attention as OpenSTL computes it (fixture `e3dlstm_small`, `semantics.recall`).
///
/// Each `[B, N, D, h, w]` state is read per sample as its flat channels-first buffer cut into
/// R = D·h·w consecutive rows of N values: a reshape to `[B, R, N]`, with no transpose to
/// per-position channel vectors (the paper's intent; OpenSTL's port skipped the permute, and the
/// fixtures keep that). The memory of past cell states is those row views stacked in history
/// order, `[B, J·R, N]`; it serves as both keys and values.
public enum Recall {
    /// The row view `[B, R, N]` of a state `[B, N, D, h, w]` (shares storage).
    public static func rows(_ state: Variable) -> Variable {
        Shape.check("Recall.rows", state.shape, rank: 5, "state")
        let (batch, channels) = (state.shape[0], state.shape[1])
        return state.reshaped([batch, state.value.count / (batch * channels), channels])
    }

    /// The memory with `state` appended as its newest entry.
    public static func appending(_ state: Variable, to memory: Variable) -> Variable {
        concat([memory, rows(state)], axis: 1)
    }
}

/// RECALL(r, E) = softmax(Q Kᵀ) V with Q the row view of `query` `[B, N, D, h, w]` and
/// K = V = `memory` `[B, J·R, N]` (see `Recall`); the softmax runs over all J·R rows of all
/// entries, without 1/√N scaling. Returns `[B, N, D, h, w]` (the rows written back flat).
public func recall(_ query: Variable, memory: Variable) -> Variable {
    let q = Recall.rows(query)
    precondition(memory.shape.count == 3 && memory.shape[0] == q.shape[0] && memory.shape[2] == q.shape[2],
                 "recall: memory \(memory.shape) does not hold rows of the query's \(q.shape)")
    let attention = softmax(matmul(q, memory, transposeB: true), axis: -1)   // [B, R, J·R]
    return matmul(attention, memory).reshaped(query.shape)
}
