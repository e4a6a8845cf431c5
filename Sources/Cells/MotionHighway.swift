import Engine

/// The Motion Highway (paper Eq. 1, SPEC §3): the block's new hidden state is compensated by the
/// state below it, through the part the output gate closed: `H' + (1 − o) ⊙ H_below`.
public func motionHighway(_ hidden: Variable, outputGate: Variable, below: Variable) -> Variable {
    hidden + (1 - outputGate) * below
}
