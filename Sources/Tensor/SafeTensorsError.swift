/// Why a safetensors file was rejected. Every case names the file or the tensor at fault.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file is shorter than its 8-byte length prefix or its declared header.
    case truncated(file: String, detail: String)
    /// The declared header length exceeds `SafeTensorsFile.maxHeaderLength`.
    case headerTooLarge(file: String, length: UInt64)
    /// The header is not the expected JSON object (the message says where and why).
    case invalidHeader(String)
    /// A dtype this reader does not know, or one that cannot be converted to what was asked.
    case unsupportedDtype(name: String, dtype: String)
    /// The byte range of a tensor does not equal shape product × dtype size.
    case sizeMismatch(name: String, shape: [Int], dtype: String, expectedBytes: Int, actualBytes: Int)
    /// The data offsets of a tensor fall outside the data area (or begin > end).
    case outOfBounds(name: String, begin: Int, end: Int, dataAreaSize: Int)
    /// Two tensors share bytes.
    case overlap(String, String)
    /// No tensor of that name in the file.
    case missingTensor(String)
    /// A destination buffer does not have the tensor's element count.
    case destinationSizeMismatch(name: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case let .truncated(file, detail):
            return "safetensors file \(file) is truncated: \(detail)"
        case let .headerTooLarge(file, length):
            return "safetensors file \(file) declares a \(length)-byte header (limit \(SafeTensorsFile.maxHeaderLength))"
        case let .invalidHeader(message):
            return "invalid safetensors header: \(message)"
        case let .unsupportedDtype(name, dtype):
            return "tensor '\(name)': dtype \(dtype) is not supported here (F32, F16, BF16 load as Float; I64, I32 as integers)"
        case let .sizeMismatch(name, shape, dtype, expected, actual):
            return "tensor '\(name)': shape \(shape) of \(dtype) needs \(expected) bytes but its data_offsets span \(actual)"
        case let .outOfBounds(name, begin, end, size):
            return "tensor '\(name)': data_offsets [\(begin), \(end)] fall outside the \(size)-byte data area"
        case let .overlap(a, b):
            return "tensors '\(a)' and '\(b)' have overlapping byte ranges"
        case let .missingTensor(name):
            return "no tensor named '\(name)' in the safetensors file"
        case let .destinationSizeMismatch(name, expected, actual):
            return "tensor '\(name)' has \(expected) elements but the destination holds \(actual)"
        }
    }
}
