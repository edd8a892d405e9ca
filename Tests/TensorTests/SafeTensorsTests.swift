import Foundation
import XCTest

@testable import SentimentTensor

final class SafeTensorsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws { directory = try FixturePaths.temporaryDirectory() }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: directory) }

    // MARK: Round trip and Python compatibility

    func testRoundTripPreservesNamesShapesValuesAndMetadata() throws {
        let tensors = [
            "layer.weight": Tensor(shape: [3, 4], data: (0..<12).map { Float($0) * 0.25 - 1 }),
            "bias": Tensor(shape: [4], data: [1, -2, .infinity, -0.0]),
            "scalar": Tensor(shape: [], data: [42]),
            "empty": Tensor(shape: [0, 7]),
        ]
        let url = directory.appendingPathComponent("round.safetensors")
        try SafeTensors.write(tensors, metadata: ["format": "pt", "step": "12"], to: url)

        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.names, ["bias", "empty", "layer.weight", "scalar"])
        XCTAssertEqual(file.metadata, ["format": "pt", "step": "12"])
        XCTAssertEqual(file.info("layer.weight")?.shape, [3, 4])
        XCTAssertEqual(file.info("layer.weight")?.dtype, .f32)
        for (name, tensor) in tensors {
            let loaded = try file.tensor(name)
            XCTAssertEqual(loaded.shape, tensor.shape, name)
            XCTAssertEqual(loaded.storage.map(\.bitPattern), tensor.storage.map(\.bitPattern), name)
        }
        XCTAssertNil(file.info("nope"))
        XCTAssertThrowsError(try file.tensor("nope")) { XCTAssertEqual($0 as? SafeTensorsError, .missingTensor("nope")) }
        // Data area is 8-byte aligned, as the Python library writes it.
        let raw = try Data(contentsOf: url)
        XCTAssertEqual(raw.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } % 8, 0)
    }

    func testWriterRejectsTheReservedNameAndLeavesNoFile() throws {
        let url = directory.appendingPathComponent("reserved.safetensors")
        XCTAssertThrowsError(try SafeTensors.write(["__metadata__": Tensor(shape: [1])], to: url)) {
            if case .invalidHeader = $0 as? SafeTensorsError {} else { XCTFail("wrong error \($0)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: url.path))
        // An unwritable destination fails with an error, not a partial file.
        let missingFolder = directory.appendingPathComponent("no/such/folder/x.safetensors")
        XCTAssertThrowsError(try SafeTensors.write(["a": Tensor(shape: [1])], to: missingFolder))
    }

    func testWriterReproducesPythonSafetensorsByteForByte() throws {
        let url = FixturePaths.kernelFixture("python_written.safetensors")
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.names, ["a", "b.weight", "empty", "quote\"name", "z/scalar"])
        XCTAssertEqual(try file.tensor("a").storage, [0, 1, 2, 3, 4])
        XCTAssertEqual(try file.tensor("z/scalar").shape, [])
        let ours = SafeTensors.serialize(try file.allFloatTensors(), metadata: file.metadata)
        XCTAssertEqual(ours, try Data(contentsOf: url))
    }

    func testReadsEveryDtypeWrittenByPython() throws {
        let file = try SafeTensorsFile(contentsOf: FixturePaths.kernelFixture("dtypes.safetensors"))
        let expected = try SafeTensorsFile(contentsOf: FixturePaths.kernelFixture("dtypes_expected.safetensors"))
        XCTAssertEqual(file.metadata, ["format": "pt", "note": "fixture"])
        XCTAssertEqual(file.info("f16")?.dtype, .f16)
        XCTAssertEqual(file.info("bf16")?.dtype, .bf16)
        for name in ["f16", "f16_random", "bf16"] {
            // Conversions must be bit-exact against torch's .float().
            let ours = try file.tensor(name), torch = try expected.tensor(name + "_as_f32")
            XCTAssertEqual(ours.shape, torch.shape, name)
            XCTAssertEqual(ours.storage.map(\.bitPattern), torch.storage.map(\.bitPattern), name)
        }
        XCTAssertEqual(try file.int64("i64"), (-3..<9).map(Int64.init))
        XCTAssertEqual(try file.int64("i32"), [-2_147_483_648, -1, 0, 7, 2_147_483_647])
        XCTAssertEqual(try file.tensor("scalar").storage, [4.25])
        XCTAssertEqual(try file.tensor("empty").shape, [0, 3])
        XCTAssertEqual(try file.tensor("f32").shape, [3, 5])
        XCTAssertThrowsError(try file.tensor("i64")) {
            XCTAssertEqual($0 as? SafeTensorsError, .unsupportedDtype(name: "i64", dtype: "I64"))
        }
        XCTAssertThrowsError(try file.int64("f32")) {
            XCTAssertEqual($0 as? SafeTensorsError, .unsupportedDtype(name: "f32", dtype: "F32"))
        }
    }

    func testHalfConversionMatchesFloat16ForEveryBitPattern() {
        #if !(os(macOS) && arch(x86_64))
        for bits in 0...UInt16.max {
            let ours = HalfPrecision.floatFromFloat16(bits), swift = Float(Float16(bitPattern: bits))
            if swift.isNaN { XCTAssertTrue(ours.isNaN, "\(bits)") } else { XCTAssertEqual(ours.bitPattern, swift.bitPattern, "\(bits)") }
        }
        #endif
    }

    func testReadIntoBufferChecksTheElementCount() throws {
        let file = try SafeTensorsFile(data: SafeTensors.serialize(["w": Tensor(shape: [2, 2], data: [1, 2, 3, 4])]))
        var big = [Float](repeating: 0, count: 8)
        try big.withUnsafeMutableBufferPointer { try file.read("w", into: UnsafeMutableBufferPointer(rebasing: $0[2..<6])) }
        XCTAssertEqual(big, [0, 0, 1, 2, 3, 4, 0, 0])
        XCTAssertThrowsError(try big.withUnsafeMutableBufferPointer { try file.read("w", into: $0) }) {
            XCTAssertEqual($0 as? SafeTensorsError, .destinationSizeMismatch(name: "w", expected: 4, actual: 8))
        }
    }

    // MARK: Corrupt files

    /// A file image with a hand-written header (padded to 8) and `dataBytes` zero bytes of data.
    private func image(header: String, dataBytes: Int) -> Data {
        var headerBytes = Array(header.utf8)
        headerBytes += [UInt8](repeating: 0x20, count: (8 - headerBytes.count % 8) % 8)
        var data = Data()
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        data.append(Data(count: dataBytes))
        return data
    }

    private func assertRejects(_ data: Data, _ check: (SafeTensorsError) -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try SafeTensorsFile(data: data, url: URL(fileURLWithPath: "/tmp/bad.safetensors"))
            XCTFail("accepted a corrupt file", file: file, line: line)
        } catch let error as SafeTensorsError {
            XCTAssertTrue(check(error), "wrong error: \(error)", file: file, line: line)
            XCTAssertFalse(error.description.isEmpty)
        } catch {
            XCTFail("untyped error \(error)", file: file, line: line)
        }
    }

    func testTruncatedFilesAreRejected() throws {
        let good = SafeTensors.serialize(["w": Tensor(shape: [4, 4], repeating: 1)])
        // Shorter than the length prefix.
        assertRejects(good.prefix(5)) { if case .truncated = $0 { return true }; return false }
        // Header cut off.
        assertRejects(good.prefix(30)) { if case .truncated = $0 { return true }; return false }
        // Data cut off: the tensor's range now lies beyond the data area.
        assertRejects(good.prefix(good.count - 4)) {
            if case .outOfBounds(name: "w", begin: 0, end: 64, dataAreaSize: 60) = $0 { return true }; return false
        }
        // The same through the file API, with the path in the message.
        let url = directory.appendingPathComponent("cut.safetensors")
        try good.prefix(30).write(to: url)
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: url)) {
            XCTAssertTrue("\($0)".contains("cut.safetensors"), "\($0)")
        }
    }

    func testOversizedHeaderIsRejected() {
        var data = Data()
        withUnsafeBytes(of: UInt64(1 << 40).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array("{}".utf8))
        assertRejects(data) { $0 == .headerTooLarge(file: "/tmp/bad.safetensors", length: 1 << 40) }
    }

    func testMisSizedTensorIsRejected() {
        let data = image(header: #"{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#, dataBytes: 24)
        assertRejects(data) { $0 == .sizeMismatch(name: "w", shape: [2, 3], dtype: "F32", expectedBytes: 24, actualBytes: 20) }
    }

    func testOutOfBoundsOffsetsAreRejected() {
        let past = image(header: #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}"#, dataBytes: 16)
        assertRejects(past) { $0 == .outOfBounds(name: "w", begin: 8, end: 24, dataAreaSize: 16) }
        let reversed = image(header: #"{"w":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}}"#, dataBytes: 16)
        assertRejects(reversed) { $0 == .outOfBounds(name: "w", begin: 8, end: 4, dataAreaSize: 16) }
        let negative = image(header: #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}"#, dataBytes: 16)
        assertRejects(negative) { if case .outOfBounds(name: "w", _, _, _) = $0 { return true }; return false }
    }

    func testOverlappingTensorsAreRejected() {
        let header = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#
        assertRejects(image(header: header, dataBytes: 16)) { $0 == .overlap("a", "b") }
    }

    func testUnknownDtypeAndMalformedHeadersAreRejected() {
        let f64 = image(header: #"{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}"#, dataBytes: 8)
        assertRejects(f64) { $0 == .unsupportedDtype(name: "w", dtype: "F64") }
        let malformed: [String] = [
            #"[1, 2]"#,                                                          // not an object
            #"{"w":{"dtype":"F32","shape":[1]}}"#,                               // missing data_offsets
            #"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#,        // fractional dimension
            #"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#,         // negative dimension
            #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}"#,        // three offsets
            #"{"__metadata__":{"format":3}}"#,                                   // metadata values must be strings
            #"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}"#,           // unterminated JSON
            #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,4]}}"#,  // overflowing shape
        ]
        for header in malformed {
            assertRejects(image(header: header, dataBytes: 8)) { if case .invalidHeader = $0 { return true }; return false }
        }
        var notUTF8 = image(header: #"{"w":{}}"#, dataBytes: 0)
        notUTF8[10] = 0xFF
        assertRejects(notUTF8) { if case .invalidHeader = $0 { return true }; return false }
    }

    // MARK: Real checkpoint

    func testLoadsAllMiniLMCheckpoint() throws {
        let url = try XCTUnwrap(FixturePaths.artifact("all-MiniLM-L6-v2", "model.safetensors"),
                                "all-MiniLM-L6-v2 is not cached: run `sentiment fetch all-MiniLM-L6-v2` (make test fetches it)")
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertEqual(file.names.count, 104)
        XCTAssertEqual(file.names.first, "embeddings.LayerNorm.bias")
        XCTAssertEqual(file.names.last, "pooler.dense.weight")
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(file.dataAreaStart % 8, 0)
        XCTAssertEqual(file.info("embeddings.position_ids")?.dtype, .i64)
        let positions = try file.int64("embeddings.position_ids")
        XCTAssertEqual(positions, (0..<512).map(Int64.init))
        let floatCount = file.names.compactMap(file.info).filter { $0.dtype == .f32 }.map(\.elementCount).reduce(0, +)
        XCTAssertEqual(floatCount, 22_713_216)

        // Reference values from Python safetensors + numpy (float64 sums), see scripts/fixtures/kernels.py.
        let expectations: [(String, [Int], Double, Float, Float)] = [
            ("embeddings.word_embeddings.weight", [30522, 384], 138.05072214923618, -0.019989013671875, 0.004570063669234514),
            ("embeddings.LayerNorm.weight", [384], 236.85435231029987, 0.5989283323287964, 0.6554279327392578),
            ("encoder.layer.5.output.dense.bias", [384], 1.1643950974084873, -0.001134294318035245, 0.007771918550133705),
            ("pooler.dense.weight", [384, 384], -8.150986969470978, -0.01512908935546875, -0.01418304443359375),
            ("encoder.layer.0.attention.self.query.weight", [384, 384], 13.52819408863644, -0.1486196219921112, -0.08523893356323242),
        ]
        for (name, shape, sum, first, last) in expectations {
            let t = try file.tensor(name)
            XCTAssertEqual(t.shape, shape, name)
            let ours = t.storage.reduce(0.0) { $0 + Double($1) }
            print("MiniLM \(name): sum \(ours) vs \(sum), |Δ| \(abs(ours - sum))")
            XCTAssertEqual(ours, sum, accuracy: 1e-9, name)
            XCTAssertEqual(t.storage.first, first, name)
            XCTAssertEqual(t.storage.last, last, name)
        }
    }
}
