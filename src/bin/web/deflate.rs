//! A small DEFLATE compressor (RFC 1951: LZ77 with hash chains, one block of fixed
//! Huffman codes) for share links. miniz_oxide's compressor, with dynamic Huffman tables,
//! costs the page's wasm 8 KB for links a few percent shorter; its decompressor (which
//! reads any DEFLATE stream, these included) stays.

const WINDOW: usize = 32 * 1024;
const MIN_MATCH: usize = 3;
const MAX_MATCH: usize = 258;
/// Positions tried per match search: bounds the work on repetitive input.
const MAX_CHAIN: usize = 48;
const HASH_BITS: u32 = 15;

const LENGTH_BASE: [u16; 29] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA: [u8; 29] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE: [u16; 30] =
    [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA: [u8; 30] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

/// Bits written least significant first, as DEFLATE packs them.
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += count;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// A Huffman code: written most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        self.put(code.reverse_bits() >> (32 - len), len);
    }

    /// A literal or length symbol in the fixed code (RFC 1951, 3.2.6).
    fn symbol(&mut self, s: u32) {
        match s {
            0..=143 => self.code(0x30 + s, 8),
            144..=255 => self.code(0x190 + s - 144, 9),
            256..=279 => self.code(s - 256, 7),
            _ => self.code(0xC0 + s - 280, 8),
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// The table index whose base is the largest not above `value`.
fn bucket(bases: &[u16], value: usize) -> usize {
    bases.iter().rposition(|&b| usize::from(b) <= value).unwrap_or(0)
}

fn hash(data: &[u8], at: usize) -> usize {
    match data.get(at..at + 3) {
        Some(&[a, b, c]) => ((u32::from(a) << 16 | u32::from(b) << 8 | u32::from(c)).wrapping_mul(0x9E37_79B1) >> (32 - HASH_BITS)) as usize,
        _ => 0,
    }
}

/// Compresses `data` into one final DEFLATE block with fixed codes.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits { out: Vec::with_capacity(data.len() / 3 + 16), acc: 0, n: 0 };
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE 01: fixed Huffman codes
    let mut head = vec![usize::MAX; 1 << HASH_BITS];
    let mut prev = vec![usize::MAX; data.len()];
    let insert = |at: usize, head: &mut Vec<usize>, prev: &mut Vec<usize>| {
        if at + MIN_MATCH <= data.len() {
            let h = hash(data, at);
            if let (Some(slot), Some(p)) = (head.get_mut(h), prev.get_mut(at)) {
                *p = *slot;
                *slot = at;
            }
        }
    };
    let mut i = 0;
    while i < data.len() {
        // The longest earlier match within the window.
        let (mut best_len, mut best_dist) = (0, 0);
        if i + MIN_MATCH <= data.len() {
            let mut candidate = head.get(hash(data, i)).copied().unwrap_or(usize::MAX);
            let mut steps = 0;
            while candidate != usize::MAX && i - candidate <= WINDOW && steps < MAX_CHAIN {
                let max = (data.len() - i).min(MAX_MATCH);
                let len = (0..max).take_while(|&k| data.get(candidate + k) == data.get(i + k)).count();
                if len > best_len {
                    (best_len, best_dist) = (len, i - candidate);
                    if len == max {
                        break;
                    }
                }
                candidate = prev.get(candidate).copied().unwrap_or(usize::MAX);
                steps += 1;
            }
        }
        if best_len >= MIN_MATCH {
            let l = bucket(&LENGTH_BASE, best_len);
            let (base, extra) = (LENGTH_BASE.get(l).copied().unwrap_or(3), LENGTH_EXTRA.get(l).copied().unwrap_or(0));
            bits.symbol(257 + l as u32);
            bits.put((best_len - usize::from(base)) as u32, u32::from(extra));
            let d = bucket(&DIST_BASE, best_dist);
            let (base, extra) = (DIST_BASE.get(d).copied().unwrap_or(1), DIST_EXTRA.get(d).copied().unwrap_or(0));
            bits.code(d as u32, 5);
            bits.put((best_dist - usize::from(base)) as u32, u32::from(extra));
            for k in i..i + best_len {
                insert(k, &mut head, &mut prev);
            }
            i += best_len;
        } else {
            bits.symbol(u32::from(data.get(i).copied().unwrap_or(0)));
            insert(i, &mut head, &mut prev);
            i += 1;
        }
    }
    bits.symbol(256); // end of block
    bits.finish()
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_through_a_real_inflater() {
        let json = r#"{"v":1,"docs":[["nsg.json","{\"name\":\"nsg-train\",\"securityRules\":[{\"name\":\"a\",\"priority\":100},{\"name\":\"b\",\"priority\":200}]}"]],"compute":"cluster"}"#;
        let long: String = (0..3000).map(|i| format!("{{\"name\":\"rule-{i}\",\"priority\":{}}},", 100 + i % 4000)).collect();
        let mut random = Vec::new();
        let mut x: u32 = 12345;
        for _ in 0..70_000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            random.push((x >> 16) as u8);
        }
        for data in [
            b"".to_vec(),
            b"a".to_vec(),
            b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".to_vec(),
            json.as_bytes().to_vec(),
            long.into_bytes(),
            random,
            vec![0u8; 100_000],
        ] {
            let packed = super::compress(&data);
            let unpacked = miniz_oxide::inflate::decompress_to_vec(&packed).unwrap_or_default();
            assert_eq!(unpacked, data, "{} bytes", data.len());
        }
        let packed = super::compress(json.repeat(20).as_bytes());
        assert!(packed.len() * 5 < json.len() * 20, "compresses: {} of {}", packed.len(), json.len() * 20);
    }
}
