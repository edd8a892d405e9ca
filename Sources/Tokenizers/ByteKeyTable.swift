/// An open-addressing hash map from byte strings to Int32, looked up with a borrowed byte slice (no String built).
///
/// Why not `[String: Int32]`: Swift `String` equality is canonical equivalence ("é" == "e\u{301}"), so two distinct
/// vocabulary entries could collide; and building a String per lookup costs time. Keys here compare byte by byte,
/// as HF's Rust `HashMap<String, u32>` does.
struct ByteKeyTable: Sendable {
    /// All keys back to back.
    private var arena: [UInt8] = []
    /// Per entry: start in `arena`, length, value.
    private var starts: [Int32] = []
    private var lengths: [Int32] = []
    private var values: [Int32] = []
    /// Slot → entry index + 1 (0 = empty). Power-of-two size, load factor ≤ 0.5.
    private var slots: [Int32] = []
    private var mask = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    var count: Int { values.count }

    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        // FNV-1a 64, then a multiply-shift finaliser so that low bits are well mixed.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key {
            h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        h ^= h >> 32
        return Int(truncatingIfNeeded: h)
    }

    /// The value of `key`, or nil.
    @inline(__always)
    func get(_ key: UnsafeBufferPointer<UInt8>) -> Int32? {
        var slot = Self.hash(key) & mask
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBufferPointer { arena in
                while true {
                    let entry = Int(slots[slot])
                    if entry == 0 { return nil }
                    let e = entry - 1
                    let length = Int(lengths[e])
                    if length == key.count {
                        let start = Int(starts[e])
                        if length == 0 || memcmpEqual(arena.baseAddress! + start, key.baseAddress!, length) {
                            return values[e]
                        }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }

    func get<Bytes: Collection>(_ key: Bytes) -> Int32? where Bytes.Element == UInt8 {
        let bytes = Array(key)
        return bytes.withUnsafeBufferPointer { get($0) }
    }

    func get(_ key: String) -> Int32? {
        var key = key
        return key.withUTF8 { get($0) }
    }

    /// Inserts or overwrites (the last value wins, as when HF reads a vocabulary into a map).
    mutating func set(_ key: [UInt8], _ value: Int32) {
        if (values.count + 1) * 2 > slots.count { grow() }
        let found: Int? = key.withUnsafeBufferPointer { key in
            var slot = Self.hash(key) & mask
            while true {
                let entry = Int(slots[slot])
                if entry == 0 { return slot }
                let e = entry - 1
                if Int(lengths[e]) == key.count && arena[Int(starts[e])..<Int(starts[e]) + key.count].elementsEqual(key) {
                    values[e] = value
                    return nil
                }
                slot = (slot + 1) & mask
            }
        }
        guard let slot = found else { return }
        starts.append(Int32(arena.count))
        lengths.append(Int32(key.count))
        values.append(value)
        arena.append(contentsOf: key)
        slots[slot] = Int32(values.count)
    }

    mutating func set(_ key: String, _ value: Int32) {
        set(Array(key.utf8), value)
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        arena.withUnsafeBufferPointer { arena in
            for e in 0..<values.count {
                let key = UnsafeBufferPointer(rebasing: arena[Int(starts[e])..<Int(starts[e]) + Int(lengths[e])])
                var slot = Self.hash(key) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(e + 1)
            }
        }
    }
}

@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    for i in 0..<count where a[i] != b[i] { return false }
    return true
}
