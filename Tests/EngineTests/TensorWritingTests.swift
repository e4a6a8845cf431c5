import Engine
import Testing

/// The ways code outside Engine writes tensor values (issue 12's memory rules): builders for new
/// storage, and copy-on-write in-place writers that never change another tensor's values.
/// `import Engine` without `@testable`: these tests see what a library user sees.
struct TensorWritingTests {
    @Test func builderFillsNewStorage() {
        let tensor = Tensor(shape: [2, 3]) { values in
            for i in values.indices { values[i] = Float(i) * 0.5 }
        }
        #expect(tensor.shape == [2, 3])
        #expect(tensor.scalars == [0, 0.5, 1, 1.5, 2, 2.5])
    }

    @Test func builderPassesThrownErrorsOn() {
        struct Refused: Error {}
        #expect(throws: Refused.self) { _ = try Tensor(shape: [4]) { _ in throw Refused() } }
    }

    @Test func multiBuilderSkipsOutputsNobodyNeeds() {
        let tensors = Tensor.build([[2], nil, [1, 3]]) { buffers in
            #expect(buffers.count == 3)
            #expect(buffers[1] == nil)
            buffers[0]!.update(repeating: 7)
            for i in 0..<3 { buffers[2]![i] = Float(i) }
        }
        #expect(tensors[0]?.scalars == [7, 7])
        #expect(tensors[1] == nil)
        #expect(tensors[2]?.shape == [1, 3] && tensors[2]?.scalars == [0, 1, 2])
    }

    @Test func inPlaceWriteLeavesSharingTensorsAlone() {
        let original = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let view = original.reshaped([4])
        var written = original
        written.withUnsafeMutableBufferPointer { $0[0] = 10 }
        #expect(written.scalars == [10, 2, 3, 4])
        #expect(original.scalars == [1, 2, 3, 4])
        #expect(view.scalars == [1, 2, 3, 4])
    }

    @Test func inPlaceWriteOfUniqueStorageCopiesNothing() {
        var tensor = Tensor(zeros: [8])
        let unique = tensor.hasUniqueStorage()
        #expect(unique)
        let before = tensor.pointer
        tensor.withUnsafeMutableBufferPointer { $0[3] = 1 }
        #expect(tensor.pointer == before)
        #expect(tensor.scalars[3] == 1)
    }

    @Test func parameterUpdateKeepsStateDictionarySnapshots() {
        let parameter = Variable(Tensor(shape: [3], scalars: [1, 2, 3]), requiresGrad: true)
        let snapshot = parameter.value   // what a state dictionary holds
        parameter.updateValueInPlace { values in
            for i in values.indices { values[i] *= 2 }
        }
        #expect(parameter.value.scalars == [2, 4, 6])
        #expect(snapshot.scalars == [1, 2, 3])
    }

    @Test func gradientUpdateKeepsEarlierReadings() {
        let parameter = Variable(Tensor(shape: [2], scalars: [1, 1]), requiresGrad: true)
        parameter.accumulateGrad(Tensor(shape: [2], scalars: [3, 4]))
        let reading = parameter.grad!
        parameter.node.updateGradInPlace { $0[1] = 0 }
        #expect(parameter.grad!.scalars == [3, 0])
        #expect(reading.scalars == [3, 4])
    }

    @Test func accumulationBufferStartsAtZeroAndIsKept() {
        let needed = Variable(Tensor(zeros: [3]), requiresGrad: true)
        needed.node.withAccumulationBuffer { buffer in
            #expect(buffer.map(Array.init) == [0, 0, 0])
            buffer![1] += 5
        }
        needed.node.withAccumulationBuffer { $0![1] += 1 }
        #expect(needed.grad?.scalars == [0, 6, 0])

        let constant = Variable(Tensor(zeros: [3]), requiresGrad: false)
        constant.node.withAccumulationBuffer { #expect($0 == nil) }
        #expect(constant.grad == nil)
    }
}
