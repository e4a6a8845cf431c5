import Engine

/// E3D-LSTM's RECALL attention over the history of cell states. Each `[B, N, D, h, w]` state is
/// read per sample as R = D·h·w rows of N values, in one of two ways (`Rows`):
/// - `.openstl` (the default, fixture `e3dlstm_small`, `semantics.recall`): its flat
///   channels-first buffer cut into consecutive rows, a reshape to `[B, R, N]` with no transpose
///   (OpenSTL's port skipped the permute, and the fixtures keep that);
/// - `.positions` (the paper's intent, and what the official TensorFlow code computes on its
///   channels-last states): each position's vector of N channels.
/// The memory of past cell states is those row views stacked in history order, `[B, J·R, N]`;
/// it serves as both keys and values.
public enum Recall {
    /// How a state becomes rows of N values.
    public enum Rows: String, Codable, CaseIterable, Sendable {
        case openstl, positions
    }

    /// The row view `[B, R, N]` of a state `[B, N, D, h, w]`.
    public static func rows(_ state: Variable, _ layout: Rows = .openstl) -> Variable {
        Shape.check("Recall.rows", state.shape, rank: 5, "state")
        let (batch, channels) = (state.shape[0], state.shape[1])
        let ordered = layout == .positions ? permute(state, [0, 2, 3, 4, 1]) : state   // [B, D, h, w, N]
        return ordered.reshaped([batch, state.value.count / (batch * channels), channels])
    }

    /// Rows `[B, R, N]` written back as a state of `shape` `[B, N, D, h, w]`.
    static func state(fromRows rows: Variable, shape: [Int], _ layout: Rows) -> Variable {
        guard layout == .positions else { return rows.reshaped(shape) }
        return permute(rows.reshaped([shape[0], shape[2], shape[3], shape[4], shape[1]]), [0, 4, 1, 2, 3])
    }

    /// The memory with `state` appended as its newest entry.
    public static func appending(_ state: Variable, to memory: Variable, _ layout: Rows = .openstl) -> Variable {
        concat([memory, rows(state, layout)], axis: 1)
    }
}

/// RECALL(r, E) = softmax(Q Kᵀ) V with Q the row view of `query` `[B, N, D, h, w]` and
/// K = V = `memory` `[B, J·R, N]` (see `Recall`), both read as `layout`; the softmax runs over
/// all J·R rows of all entries, without 1/√N scaling. Returns `[B, N, D, h, w]`.
public func recall(_ query: Variable, memory: Variable, rows layout: Recall.Rows = .openstl) -> Variable {
    let q = Recall.rows(query, layout)
    precondition(memory.shape.count == 3 && memory.shape[0] == q.shape[0] && memory.shape[2] == q.shape[2],
                 "recall: memory \(memory.shape) does not hold rows of the query's \(q.shape)")
    let attention = softmax(matmul(q, memory, transposeB: true), axis: -1)   // [B, R, J·R]
    return Recall.state(fromRows: matmul(attention, memory), shape: query.shape, layout)
}
